import oslo_i18n

_translators = oslo_i18n.TranslatorFactory(domain='karbor')
_ = _translators.primary
