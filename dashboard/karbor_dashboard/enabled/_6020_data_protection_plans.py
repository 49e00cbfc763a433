PANEL = 'data_protection_plans'
PANEL_DASHBOARD = 'project'
PANEL_GROUP = 'data_protection'
ADD_PANEL = 'karbor_dashboard.plans.panel.ProtectionPlans'
