PANEL = 'data_protection_operation_logs'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'data_protection'
ADD_PANEL = 'karbor_dashboard.operation_logs.panel.OperationLogs'
