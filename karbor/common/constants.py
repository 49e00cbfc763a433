"""Names shared by the API, the database and the protection service."""

API_VERSION = '1.0'

SERVICE_BINARY_PROTECTION = 'karbor-protection'
SERVICE_BINARY_API = 'karbor-api'

SERVICE_STATUS_ENABLED = 'enabled'
SERVICE_STATUS_DISABLED = 'disabled'
SERVICE_STATE_UP = 'up'
SERVICE_STATE_DOWN = 'down'
