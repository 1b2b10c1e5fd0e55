"""S3 archives: a 7-year Object-Locked compliance archive (with an offsite replica), the search
snapshot repository and the access-log bucket, on pulumi-aws 7."""
from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from content import archive as layout
from config.sections import ArchiveArgs

KEY_DELETION_WINDOW_DAYS = 30


class Archive(pulumi.ComponentResource):
    archive_bucket: pulumi.Output[str]
    archive_bucket_arn: pulumi.Output[str]
    replica_bucket: pulumi.Output[str] | None
    replica_bucket_arn: pulumi.Output[str] | None
    snapshot_bucket: pulumi.Output[str]
    snapshot_bucket_arn: pulumi.Output[str]
    access_log_bucket: pulumi.Output[str]
    archive_key_arn: pulumi.Output[str]
    replica_key_arn: pulumi.Output[str] | None
    snapshot_role_arn: pulumi.Output[str]

    def __init__(self, name: str, settings: ArchiveArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("kafka-monitoring:archive:Archive", name, None, opts)
        self._name, self._s = name, settings
        self.artifacts: dict = {}
        s = settings
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))

        logs_name = layout.bucket_name(s, layout.ACCESS_LOGS)
        sources = [layout.bucket_name(s, r) for r in (layout.ARCHIVE, layout.SNAPSHOTS)]
        logs = self._bucket(layout.ACCESS_LOGS, None, layout.access_log_lifecycle(s), logs_target=None,
                            policy=account.account_id.apply(
                                lambda acct: layout.access_log_bucket_policy(logs_name, acct, sources)))

        key = self._key("key", None)  # the archive's; the snapshot bucket has a key of its own
        snapshot_key = self._key("snapshot-key", None)
        archive = self._bucket(layout.ARCHIVE, key, layout.archive_lifecycle(s), logs_target=logs, lock=True)
        snapshots = self._bucket(layout.SNAPSHOTS, snapshot_key, layout.snapshot_lifecycle(s), logs_target=logs)

        self.replica_bucket = self.replica_bucket_arn = self.replica_key_arn = None
        replication_role = None
        if s.archive_replication:
            region = s.archive_replica_region
            replica_key = self._key("replica-key", region)
            # S3 delivers server access logs only to a bucket in the source bucket's region.
            replica_logs_name = layout.bucket_name(s, layout.REPLICA_ACCESS_LOGS)
            replica_logs = self._bucket(
                layout.REPLICA_ACCESS_LOGS, None, layout.access_log_lifecycle(s), logs_target=None, region=region,
                policy=account.account_id.apply(lambda acct: layout.access_log_bucket_policy(
                    replica_logs_name, acct, [layout.bucket_name(s, layout.REPLICA)])))
            replica = self._bucket(layout.REPLICA, replica_key, layout.archive_lifecycle(s), logs_target=replica_logs,
                                   lock=True, region=region)
            replication_role = self._replicate(archive, replica, key, replica_key)
            self.replica_bucket, self.replica_bucket_arn = replica.bucket, replica.arn
            self.replica_key_arn = replica_key.arn

        snapshot_role = aws.iam.Role(
            f"{name}-snapshot-role", description="Elasticsearch/OpenSearch snapshot repository writer",
            assume_role_policy=account.account_id.apply(lambda acct: json.dumps(layout.snapshot_role_trust(
                acct, s.eks_oidc_provider_arn, list(s.search_service_accounts),
                s.opensearch_deployment == "amazon-opensearch-service"))),
            opts=self._protected())
        snapshot_policy = snapshot_key.arn.apply(
            lambda k: layout.snapshot_role_policy(layout.bucket_name(s, layout.SNAPSHOTS), k))
        aws.iam.RolePolicy(f"{name}-snapshot-role-policy", role=snapshot_role.id,
                           policy=snapshot_policy.apply(json.dumps), opts=self._protected())
        self.artifacts["archive/snapshot-role-policy.json"] = snapshot_policy

        self.archive_bucket, self.archive_bucket_arn = archive.bucket, archive.arn
        self.snapshot_bucket, self.snapshot_bucket_arn = snapshots.bucket, snapshots.arn
        self.snapshot_bucket_region = snapshots.region
        self.access_log_bucket = logs.bucket
        self.archive_key_arn = key.arn
        self.snapshot_key_arn = snapshot_key.arn
        self.snapshot_role_arn = snapshot_role.arn
        self.writer_role_arns: dict[str, pulumi.Output[str]] = {}  # Kubernetes cluster -> its Fluent Bit's writer role
        self.writer_role_arn = self._writer(archive, key)

        # Who may use each key, now that the roles exist: writers encrypt, readers decrypt.
        readers = list(s.archive_reader_role_arns)
        replicator = [replication_role.arn] if replication_role else []
        writer = [self.writer_role_arn] if self.writer_role_arn else []
        self._key_policy("key", key, None, account.account_id, writer + replicator, readers + replicator)
        self._key_policy("snapshot-key", snapshot_key, None, account.account_id, [snapshot_role.arn],
                         [snapshot_role.arn])
        if replication_role:
            self._key_policy("replica-key", replica_key, s.archive_replica_region, account.account_id, replicator,
                             readers + replicator)
        self.register_outputs({
            "archive_bucket": self.archive_bucket, "archive_bucket_arn": self.archive_bucket_arn,
            "replica_bucket": self.replica_bucket, "snapshot_bucket": self.snapshot_bucket,
            "snapshot_bucket_arn": self.snapshot_bucket_arn, "access_log_bucket": self.access_log_bucket,
            "archive_key_arn": self.archive_key_arn, "replica_key_arn": self.replica_key_arn,
            "snapshot_role_arn": self.snapshot_role_arn, "snapshot_key_arn": self.snapshot_key_arn,
            "writer_role_arn": self.writer_role_arn,
        })

    def _protected(self, **kwargs) -> pulumi.ResourceOptions:
        """Data resources: protected from deletion in prod."""
        return pulumi.ResourceOptions(parent=self, protect=self._s.is_prod, **kwargs)

    def _tags(self, role: str) -> dict[str, str]:
        """`environment` decides prod for the policy pack (known on a first preview, unlike ids)."""
        return {"environment": self._s.environment, "managed-by": "kafka-monitoring", "data-class": role}

    def _key(self, role: str, region: str | None) -> aws.kms.Key:
        key = aws.kms.Key(f"{self._name}-{role}", description=f"kafka-monitoring {self._s.environment} {role}",
                          enable_key_rotation=True, deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
                          region=region, tags=self._tags(role), opts=self._protected())
        # Aliases are unique per account and region, as bucket names are globally: qualified the same way.
        aws.kms.Alias(f"{self._name}-{role}-alias",
                      name=f"alias/{self._s.bucket_prefix}-{layout.qualifier(self._s)}-{role}",
                      target_key_id=key.key_id, region=region, opts=pulumi.ResourceOptions(parent=self))
        return key

    def _key_policy(self, role: str, key: aws.kms.Key, region: str | None, account_id: pulumi.Input[str],
                    encrypters: list[pulumi.Input[str]], decrypters: list[pulumi.Input[str]]) -> None:
        glass = self._s.break_glass_role_arn
        policy = pulumi.Output.all(account_id, pulumi.Output.all(*encrypters), pulumi.Output.all(*decrypters)).apply(
            lambda a: layout.key_policy(a[0], glass, list(a[1]), list(a[2])))
        # KMS refuses a policy that would not let the caller change it again ("lockout safety check");
        # here that is the point: only the break-glass role may. Later policy changes are break-glass work.
        aws.kms.KeyPolicy(f"{self._name}-{role}-policy", key_id=key.key_id, region=region,
                          policy=policy.apply(json.dumps), bypass_policy_lockout_safety_check=bool(glass),
                          opts=self._protected())
        self.artifacts[f"archive/{role}.key-policy.json"] = policy

    def _bucket(self, role: str, key: aws.kms.Key | None, lifecycle: list[dict], logs_target: aws.s3.Bucket | None,
                lock: bool = False, region: str | None = None, policy: pulumi.Input[dict] | None = None
                ) -> aws.s3.Bucket:
        """A hardened bucket: owner-enforced, public access blocked, versioned, encrypted, TLS-only."""
        s, base = self._s, f"{self._name}-{role}"
        name = layout.bucket_name(s, role)
        bucket = aws.s3.Bucket(base, bucket=name, object_lock_enabled=lock or None, region=region,
                               tags=self._tags(role), opts=self._protected())
        child = self._protected()  # what guards the data is protected with it
        aws.s3.BucketOwnershipControls(f"{base}-ownership", bucket=bucket.id, region=region,
                                       rule={"object_ownership": "BucketOwnerEnforced"}, opts=child)
        block = aws.s3.BucketPublicAccessBlock(
            f"{base}-public-access", bucket=bucket.id, region=region, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=child)
        # S3 delivers server access logs only into SSE-S3 buckets; every other bucket uses the KMS key.
        default = ({"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn} if key else {"sse_algorithm": "AES256"})
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{base}-encryption", bucket=bucket.id, region=region,
            rules=[{"apply_server_side_encryption_by_default": default, "bucket_key_enabled": bool(key)}], opts=child)
        versioning = aws.s3.BucketVersioning(f"{base}-versioning", bucket=bucket.id, region=region,
                                             versioning_configuration={"status": "Enabled"}, opts=child)
        if lock:
            aws.s3.BucketObjectLockConfiguration(
                f"{base}-lock", bucket=bucket.id, region=region,
                rule={"default_retention": {"mode": s.object_lock_mode, "days": s.object_lock_days}},
                opts=self._protected(depends_on=[versioning]))
        if policy is None:
            guard = s.break_glass_role_arn if lock else None  # the locked archives are guarded
            policy = key.arn.apply(lambda k: layout.data_bucket_policy(name, k, guard))
        aws.s3.BucketPolicy(f"{base}-policy", bucket=bucket.id, region=region,
                            policy=pulumi.Output.from_input(policy).apply(json.dumps),
                            opts=self._protected(depends_on=[block]))
        aws.s3.BucketLifecycleConfiguration(f"{base}-lifecycle", bucket=bucket.id, region=region, rules=lifecycle,
                                            opts=self._protected(depends_on=[versioning]))
        if logs_target is not None:
            aws.s3.BucketLogging(f"{base}-logging", bucket=bucket.id, target_bucket=logs_target.id,
                                 target_prefix=f"{name}/", region=region, opts=child)
        self.artifacts[f"archive/{role}.bucket-policy.json"] = policy
        self.artifacts[f"archive/{role}.lifecycle.json"] = lifecycle
        return bucket

    def _writer(self, archive: aws.s3.Bucket, key: aws.kms.Key) -> pulumi.Output[str] | None:
        """The role Fluent Bit's service account assumes (IRSA) to put security events into the archive:
        one role, trusted through the OIDC provider of every Kubernetes cluster whose Fluent Bit writes."""
        s = self._s
        providers = layout.writer_providers(s)
        if not providers:
            return None
        role = aws.iam.Role(
            f"{self._name}-writer-role", description="Fluent Bit: writes security events into the compliance archive",
            assume_role_policy=json.dumps(layout.writer_role_trust(s)),
            opts=self._protected())
        # Only the clusters the role trusts get it: another cluster's Fluent Bit could not assume it.
        self.writer_role_arns = {cluster: role.arn for cluster in providers}
        policy = key.arn.apply(lambda k: layout.archive_writer_policy(layout.bucket_name(s, layout.ARCHIVE), k))
        aws.iam.RolePolicy(f"{self._name}-writer-role-policy", role=role.id, policy=policy.apply(json.dumps),
                           opts=self._protected())
        self.artifacts["archive/writer-role-policy.json"] = policy
        return role.arn

    def _replicate(self, source: aws.s3.Bucket, target: aws.s3.Bucket, source_key: aws.kms.Key,
                   target_key: aws.kms.Key) -> aws.iam.Role:
        s, base = self._s, f"{self._name}-replication"
        role = aws.iam.Role(f"{base}-role", description="Compliance archive offsite replication",
                            assume_role_policy=json.dumps(layout.assume_role("s3.amazonaws.com")),
                            opts=self._protected())
        policy = pulumi.Output.all(source_key.arn, target_key.arn).apply(lambda keys: layout.replication_role_policy(
            layout.bucket_name(s, layout.ARCHIVE), layout.bucket_name(s, layout.REPLICA), *keys))
        role_policy = aws.iam.RolePolicy(f"{base}-role-policy", role=role.id, policy=policy.apply(json.dumps),
                                         opts=self._protected())
        # Named after the bucket it configures, as every bucket configuration is: the policy pack ties
        # configurations to buckets by name on a first preview, when bucket ids are unknown. The alias
        # keeps the resource that already exists under its first name.
        aws.s3.BucketReplicationConfig(
            f"{self._name}-{layout.ARCHIVE}-replication", bucket=source.id, role=role.arn,
            rules=[{"id": "offsite-copy", "status": "Enabled", "filter": {},
                    "delete_marker_replication": {"status": "Disabled"},
                    "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                    "destination": {"bucket": target.arn,
                                    "encryption_configuration": {"replica_kms_key_id": target_key.arn}}}],
            opts=self._protected(depends_on=[role_policy], aliases=[pulumi.Alias(name=base)]))
        self.artifacts["archive/replication-role-policy.json"] = policy
        return role
