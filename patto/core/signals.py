from django.dispatch import Signal

# Sent when a request is refused by policy (object exists but is not visible, or visible but the
# action is not allowed). The audit app records it; core does not import audit (layering).
access_denied = Signal()
