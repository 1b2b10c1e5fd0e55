"""A malformed ARN is refused once, for its form, not again for an account read from the wrong field
(config/settings.py: the account check reads field 5 of an ARN, arn:partition:service:region:account:
resource, IAM User Guide "IAM ARNs"); a well-formed ARN of another account is refused for that."""
from __future__ import annotations

import pytest

from config.settings import SettingsError
from tests.conftest import make_settings

FORM = "breakGlassRoleArn: not allowed; allowed: arn:aws:iam::<12-digit account>:role/<name> (empty for none)"


@pytest.mark.parametrize(("arn", "problems"), [
    ("arn:aws:iam::999999999999", [FORM]),  # four ':' only: no resource, and the account in the last field
    ("arn:aws:iam:999999999999", [FORM]),
    ("arn:aws:iam::999999999999:role/kafka-monitoring-break-glass",
     ["breakGlassRoleArn: an account is not in aws:allowedAccountIds"]),
])
def test_each_bad_break_glass_arn_is_refused_for_what_is_wrong_with_it(arn, problems):
    with pytest.raises(SettingsError) as refused:
        make_settings("prod", breakGlassRoleArn=arn)
    assert refused.value.problems == problems
