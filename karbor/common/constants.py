"""Names shared by the API, the database and the protection service."""

API_VERSION = '1.0'

SERVICE_BINARY_PROTECTION = 'karbor-protection'
SERVICE_BINARY_API = 'karbor-api'

SERVICE_STATUS_ENABLED = 'enabled'
SERVICE_STATUS_DISABLED = 'disabled'
SERVICE_STATE_UP = 'up'
SERVICE_STATE_DOWN = 'down'

# Plans
PLAN_STATUS_SUSPENDED = 'suspended'
PLAN_STATUS_STARTED = 'started'

# Checkpoints
CHECKPOINT_STATUS_PROTECTING = 'protecting'
CHECKPOINT_STATUS_AVAILABLE = 'available'
CHECKPOINT_STATUS_ERROR = 'error'
CHECKPOINT_STATUS_DELETING = 'deleting'
CHECKPOINT_STATUS_DELETED = 'deleted'
CHECKPOINT_STATUS_ERROR_DELETING = 'error-deleting'
CHECKPOINT_TRANSIENT = (CHECKPOINT_STATUS_PROTECTING,
                        CHECKPOINT_STATUS_DELETING)

# Restores
RESTORE_STATUS_IN_PROGRESS = 'in_progress'
RESTORE_STATUS_SUCCESS = 'success'
RESTORE_STATUS_FAILURE = 'fail'

# Per-resource status during protect and restore
RESOURCE_STATUS_PROTECTING = 'protecting'
RESOURCE_STATUS_AVAILABLE = 'available'
RESOURCE_STATUS_RESTORING = 'restoring'
RESOURCE_STATUS_ERROR = 'error'

# Operation logs
OPERATION_PROTECT = 'protect'
OPERATION_RESTORE = 'restore'
OPERATION_DELETE = 'delete'
OPERATION_VERIFY = 'verify'
OPERATION_LOG_STATUS_RUNNING = {
    OPERATION_PROTECT: 'protecting',
    OPERATION_RESTORE: 'in_progress',
    OPERATION_DELETE: 'deleting',
    OPERATION_VERIFY: 'verifying',
}
OPERATION_LOG_STATUS_SUCCESS = 'success'
OPERATION_LOG_STATUS_ERROR = 'error'

# Flow store keys (plain values only, so flows can be persisted).
STORE_CONTEXT = 'context'
STORE_CHECKPOINT_ID = 'checkpoint_id'
STORE_PROVIDER_ID = 'provider_id'
STORE_OPERATION_LOG_ID = 'operation_log_id'
STORE_RESTORE_ID = 'restore_id'
STORE_PARAMETERS = 'parameters'

# Bank layout
BANK_CHECKPOINTS = 'checkpoints'
BANK_INDEX = 'index.json'
BANK_RESOURCE_DATA = 'resource-data'
BANK_RESOURCE_METADATA = 'metadata'
BANK_RESOURCE_STATUS = 'status'
BANK_RESOURCE_MANIFEST = 'manifest.json'

# Verifications (status of the whole and of each resource)
VERIFICATION_STATUS_VERIFYING = 'verifying'
VERIFICATION_STATUS_SUCCESS = 'success'
VERIFICATION_STATUS_ERROR = 'error'
STORE_VERIFICATION_ID = 'verification_id'

# Verification depth
VERIFY_LEVEL_QUICK = 'quick'
VERIFY_LEVEL_DEEP = 'deep'
VERIFY_LEVEL_SAMPLE = 'sample'
VERIFY_LEVELS = (VERIFY_LEVEL_QUICK, VERIFY_LEVEL_DEEP, VERIFY_LEVEL_SAMPLE)
