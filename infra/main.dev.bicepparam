// Development environment: Flex Consumption scaling to zero, one zone, Standard Service Bus, short
// retention, no purge protection (a torn-down environment can be purged and recreated at once).
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param environmentProfile = 'dev'
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')
param alertEmail = readEnvironmentVariable('PAYMENTS_ALERT_EMAIL', '')
param authClientId = readEnvironmentVariable('PAYMENTS_AUTH_CLIENT_ID', '')
param keyVaultNameSuffix = readEnvironmentVariable('PAYMENTS_KEYVAULT_SUFFIX', '')

param maximumInstanceCount = 10
param instanceMemoryMB = 2048

// The gateway's sandbox API; the placeholder deploys but every gateway call fails until it is set.
param gatewayBaseUrl = readEnvironmentVariable('PAYMENTS_GATEWAY_BASE_URL', 'https://sandbox.gateway.example')
param gatewayAttemptTimeoutSeconds = 10

// Faster feedback while developing: a shorter payment window and a more frequent outbox relay.
param sagaPaymentWindowSeconds = 300
param reconcilerSchedule = '0 */1 * * * *'
param inboxPurgeSchedule = '0 0 3 * * *'

param retryLaneMaxDeliveryCount = 10
param retryLaneDuplicateDetectionWindow = 'PT10M'
param retryLaneMessageTimeToLive = 'P2D'
