// Development environment: Flex Consumption, scale to zero, short retention, no purge protection so a
// torn-down environment can be recreated under the same names at once.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')

param hostingPlan = 'FlexConsumption'
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param storageSku = 'Standard_LRS'
param logRetentionInDays = 30
param keyVaultPurgeProtection = false

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
