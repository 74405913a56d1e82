// Production: Flex Consumption with always-ready instances for the `http` and `durable` groups, zone
// redundant end to end (plan, ZRS storage, Premium Service Bus), purge-protected Key Vault, 90 days
// of logs. Refused without an alert recipient and the Entra ID app registration (modules/required.bicep).
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'prod')
param environmentProfile = 'prod'
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
// Production secrets are set by the release pipeline's identity; no person here.
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'ServicePrincipal')
param alertEmail = readEnvironmentVariable('PAYMENTS_ALERT_EMAIL', '')
param authClientId = readEnvironmentVariable('PAYMENTS_AUTH_CLIENT_ID', '')
param keyVaultNameSuffix = readEnvironmentVariable('PAYMENTS_KEYVAULT_SUFFIX', '')
param keyVaultCreateMode = readEnvironmentVariable('PAYMENTS_KEYVAULT_CREATE_MODE', 'default')

param alwaysReadyInstances = 2
param maximumInstanceCount = 40
param instanceMemoryMB = 2048

// The live gateway API; the placeholder deploys but every gateway call fails until it is set.
param gatewayBaseUrl = readEnvironmentVariable('PAYMENTS_GATEWAY_BASE_URL', 'https://api.gateway.example')
param gatewayAttemptTimeoutSeconds = 10

param sagaPaymentWindowSeconds = 900
param reconcilerSchedule = '0 */1 * * * *'
param inboxPurgeSchedule = '0 0 3 * * *'

param retryLaneMaxDeliveryCount = 10
param retryLaneDuplicateDetectionWindow = 'PT10M'
param retryLaneMessageTimeToLive = 'P7D'
