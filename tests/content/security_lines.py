"""Kafka's security log lines, built exactly from the upstream format strings, and the records our
Fluent Bit filters make of them (through tests/content/fluent_bit_model.py).

Messages (apache/kafka tag 3.8.0; unchanged in 3.9):
- core/src/main/scala/kafka/security/authorizer/AclAuthorizer.scala, logAuditMessage:
  s"Principal = $principal is $authResult Operation = $operation from host = $host on resource =
  $resource for request = $apiKey with resourceRefCount = $refCount", the operation and resource
  type in PascalCase (SecurityUtils.operationName/resourceTypeName), the resource
  `<Type>:<PatternType>:<name>`; logger `kafka.authorizer.logger`.
- metadata/src/main/java/org/apache/kafka/metadata/authorizer/StandardAuthorizerData.java,
  buildAuditMessage: the same with " operation = " + action.operation() (the enum name, READ) and
  " based on rule " + rule (DefaultDeny, SuperUser, MatchingAcl(acl=...)) at the end; logged by
  auditLog.info (line 307) for a denial. Both name the request by ApiKeys.forId(...).name, the
  field set from the message type's name (clients/.../protocol/ApiKeys.java `this.name =
  messageType.name`; generator ApiMessageTypeGenerator: capitalizeFirst of the request spec's name
  without "Request"), so `Fetch`, `Produce`, `Metadata`, never the enum constant `FETCH`.
- clients/src/main/java/org/apache/kafka/common/network/Selector.java:620, log.info("Failed
  {}authentication with {} ({})", "re-" or "", desc, message) where desc is
  String.format("%s (channelId=%s)", channel.socketDescription(), channel.id()): InetAddress.toString()
  (`hostname/ip`, or `/ip` when unresolved), and the connection id
  `$localHost:$localPort-$remoteHost:$remotePort-$index` (SocketServer.scala ConnectionId.toString).
  Reasons: PlainSaslServer "Authentication failed: Invalid username or password";
  SaslServerAuthenticator "Authentication failed during authentication due to invalid credentials
  with SASL mechanism " + mechanism, and "Unexpected Kafka request of type " + apiKey + " during SASL
  handshake."; SslTransportLayer "SSL handshake failed".
Layouts (strimzi/strimzi-kafka-operator cluster-operator/src/main/resources/default-logging):
- 0.45.0 KafkaCluster.properties (log4j1): `%d{ISO8601} %p %m (%c) [%t]%n`
- 0.47.0 KafkaCluster.properties (log4j2): `%d{yyyy-MM-dd HH:mm:ss} %-5p [%t] %c{1}:%L - %m%n`
"""
from __future__ import annotations

from datetime import datetime, timezone

LOG4J1, LOG4J2 = "log4j1", "log4j2"
AUTHORIZER_LOGGER, SELECTOR_LOGGER = "kafka.authorizer.logger", "org.apache.kafka.common.network.Selector"


def layout(layout_: str, when: datetime, level: str, logger: str, line: int, thread: str, message: str) -> str:
    if layout_ == LOG4J1:  # %d{ISO8601}: yyyy-MM-dd HH:mm:ss,SSS
        return f"{when:%Y-%m-%d %H:%M:%S},{when.microsecond // 1000:03d} {level} {message} ({logger}) [{thread}]"
    return f"{when:%Y-%m-%d %H:%M:%S} {level:<5} [{thread}] {logger.rsplit('.', 1)[-1]}:{line} - {message}"


def acl_authorizer(principal: str, decision: str, operation: str, host: str, resource: str, api: str,
                   ref_count: int = 1) -> str:
    """ZooKeeper mode: `resource` as `Topic:LITERAL:payments`; `operation` PascalCase (Read)."""
    return (f"Principal = {principal} is {decision} Operation = {operation} from host = {host} on resource = "
            f"{resource} for request = {api} with resourceRefCount = {ref_count}")


def standard_authorizer(principal: str, decision: str, operation: str, host: str, resource: str, api: str,
                        rule: str = "DefaultDeny", ref_count: int = 1) -> str:
    """KRaft: `operation` the enum's name (READ); `api` the request's name (Fetch), as in AclAuthorizer."""
    return (f"Principal = {principal} is {decision} operation = {operation} from host = {host} on resource = "
            f"{resource} for request = {api} with resourceRefCount = {ref_count} based on rule {rule}")


def failed_authentication(host: str, reason: str, remote_port: int = 51234, index: int = 7, hostname: str = "",
                          reauth: bool = False, local: str = "10.0.0.5:9094") -> str:
    desc = f"{hostname}/{host} (channelId={local}-{host}:{remote_port}-{index})"
    return f"Failed {'re-' if reauth else ''}authentication with {desc} ({reason})"


BAD_PASSWORD = "Authentication failed: Invalid username or password"
BAD_SCRAM = "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"
SSL_FAILED = "SSL handshake failed"


def unexpected_request(api: str = "METADATA") -> str:
    return f"Unexpected Kafka request of type {api} during SASL handshake."


def parse_record(sections: list[tuple[str, list[tuple[str, str]]]], record: dict) -> dict:
    """The record after the `parser` and `modify` filters among `sections`, in order, with the [PARSER]
    sections among them (tests/content/fluent_bit_model.py models both filters from fluent-bit v3.1.9)."""
    from tests.content import fluent_bit_model as fb
    out = dict(record)
    for name, entries in sections:
        kind = dict(entries).get("Name") if name == "FILTER" else None
        if kind == "parser":
            out = fb.parse_filter(entries, fb.parsers(sections), out)
        elif kind == "modify":
            out = fb.modify_filter(entries, out)
        elif kind is not None:
            raise AssertionError(f"not one of our security filters: {kind}")
    return out


def event(line: str, when: datetime | None = None, **extra) -> dict:
    """A security record as it reaches OpenSearch, through our filters: `log` kept, fields added."""
    from content import security_parsers as sp
    when = when or datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
    record = {"log": line, "@timestamp": int(when.timestamp() * 1000), **extra}
    return parse_record([*sp.parser_sections(), *sp.filter_sections("security.*")], record)
