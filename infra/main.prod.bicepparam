// Production: Elastic Premium (pre-warmed, no cold start on the webhook path), zone-redundant storage,
// purge-protected Key Vault, longer log retention, alerts to the operators' mailbox.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'prod')
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
// Production secrets are set by the release pipeline's identity, granted separately; no person here.
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = 'ServicePrincipal'
param alertEmail = readEnvironmentVariable('PAYMENTS_ALERT_EMAIL', '')

param hostingPlan = 'ElasticPremium'
param elasticPremiumSku = 'EP1'
param maximumInstanceCount = 20
param storageSku = 'Standard_ZRS'
param logRetentionInDays = 90
param keyVaultPurgeProtection = true

// The live gateway API; the placeholder deploys but every gateway call fails until it is set.
param gatewayBaseUrl = readEnvironmentVariable('PAYMENTS_GATEWAY_BASE_URL', 'https://api.gateway.example')
param gatewayAttemptTimeoutSeconds = 10

param sagaPaymentWindowSeconds = 900
param reconcilerSchedule = '0 */1 * * * *'
param inboxPurgeSchedule = '0 0 3 * * *'

param retryLaneMaxDeliveryCount = 10
param retryLaneDuplicateDetectionWindow = 'PT10M'
param retryLaneMessageTimeToLive = 'P7D'
