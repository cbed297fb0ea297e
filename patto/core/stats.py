"""Statistics shown outside the case team: small counts are suppressed (Sistan rules: the floor is 3;
Patto uses 5, because counts of vulnerable families in a small comune can identify them: any count
from 1 to 4 is shown as "<5")."""

SMALL_CELL = 5


def suppress_small(count, threshold=SMALL_CELL):
    """The count, or None when 0 < count < threshold (shown as "< 5")."""
    if count is None or count == 0 or count >= threshold:
        return count
    return None
