// The whole Azure deployment of the payments pipeline, into one resource group:
// Function App (+ plan), its managed identity, storage (host, Durable task hub, inbox/ledgers),
// Service Bus retry lane, Key Vault for gateway secrets, Application Insights + Log Analytics, alerts.
// Deploy with `azd up`, or `az deployment group create -f infra/main.bicep -p infra/main.dev.bicepparam`
// (docs/deploy.md).

targetScope = 'resourceGroup'

// ---- Environment --------------------------------------------------------------------------------

@description('Environment name (azd environment, e.g. dev or prod); part of the resource-name seed and the azd-env-name tag.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region for every resource; defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('dev or prod: picks the defaults below (zones, tiers, always-ready instances, retention, purge protection) and what a deployment must have (prod: an alert recipient and the Entra ID app registration).')
@allowed([
  'dev'
  'prod'
])
param environmentProfile string = 'dev'

@description('Zone redundant end to end: the Flex plan, ZRS storage and a Premium Service Bus namespace.')
param zoneRedundant bool = environmentProfile == 'prod'

@description('Always-ready Flex instances for each of the `http` and `durable` groups; 0 scales to zero (cold starts). Zone-redundant plans keep at least 2.')
@minValue(0)
@maxValue(20)
param alwaysReadyInstances int = environmentProfile == 'prod' ? 2 : 0

@description('Upper bound on Function App instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Flex Consumption instance memory in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('.NET version of the isolated worker (the app targets net10.0).')
param dotnetVersion string = '10.0'

@description('Storage replication.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = zoneRedundant ? 'Standard_ZRS' : 'Standard_LRS'

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = environmentProfile == 'prod' ? 90 : 30

@description('Key Vault purge protection (recommended for prod; cannot be turned off once on).')
param keyVaultPurgeProtection bool = environmentProfile == 'prod'

@description('Suffix of the Key Vault name. A vault deleted by `azd down` stays soft-deleted under its name (90 days, and with purge protection it cannot be purged): set a new suffix to provision beside it, or use keyVaultCreateMode recover.')
@maxLength(3)
param keyVaultNameSuffix string = ''

@description('default, or recover: take back this environment\'s soft-deleted vault (its secrets come back with it).')
@allowed([
  'default'
  'recover'
])
param keyVaultCreateMode string = 'default'

@description('Service Bus tier: Standard, or Premium for availability zones (and private endpoints).')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = zoneRedundant ? 'Premium' : 'Standard'

@description('Private-network mode: VNet integration for the app, private endpoints for storage and Key Vault, their public access off.')
param privateNetworking bool = false

@description('Address space of the virtual network in private-network mode.')
param virtualNetworkAddressPrefix string = '10.40.0.0/16'

@description('Client id of the Entra ID app registration that guards /api/ops/* and /api/orders (App Service authentication); empty: none (function keys only). Required for prod.')
param authClientId string = ''

@description('Tenant of that app registration.')
param authTenantId string = tenant().tenantId

@description('OperatorAccess__Role: the app role of that registration an operator must hold for /api/ops/*.')
@minLength(1)
param operatorAppRole string = 'Payments.Operator'

@description('Principal (person or pipeline) allowed to set the Key Vault secrets; azd fills in the signed-in identity (AZURE_PRINCIPAL_ID). Empty for none.')
param principalId string = ''

@description('Type of principalId; azd fills it in (AZURE_PRINCIPAL_TYPE: User when signed in as a person, ServicePrincipal in CI).')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('E-mail address for alerts. Required for prod (the deployment is refused without it); empty in dev for none.')
param alertEmail string = ''

// ---- App behaviour (each becomes an app setting; ranges mirror the options classes' validation) --

@description('Durable Functions task hub name (DurableTaskHubName).')
@minLength(3)
@maxLength(45)
param durableTaskHubName string = 'payments'

@description('NCRONTAB schedule of the reconciler timer: outbox relay + active payment queries (ReconcilerSchedule).')
param reconcilerSchedule string = '0 */1 * * * *'

@description('NCRONTAB schedule of the refund tracker: open refunds asked at their gateways (RefundTrackingSchedule).')
param refundTrackingSchedule string = '0 */1 * * * *'

@description('NCRONTAB schedule of the crashed-saga sweep: failed or terminated sagas settled, sagas stuck in Paid parked (CrashedSagaSweepSchedule).')
param crashedSagaSweepSchedule string = '30 */1 * * * *'

@description('NCRONTAB schedule of the failed-refund sweep: failed or terminated refund orchestrations restarted once, then parked (FailedRefundSweepSchedule).')
param failedRefundSweepSchedule string = '45 */1 * * * *'

@description('NCRONTAB schedule of the retry-lane drain (RetryLaneSchedule).')
param retryLaneSchedule string = '*/15 * * * * *'

@description('NCRONTAB schedule of the dead-letter drain (DeadLetterSchedule).')
param deadLetterSchedule string = '0 */5 * * * *'

@description('NCRONTAB schedule of the daily settlement-statement reconciliation of the previous UTC day (StatementSchedule).')
param statementSchedule string = '0 30 2 * * *'

@description('NCRONTAB schedule of the inbox purge timer (InboxPurgeSchedule).')
param inboxPurgeSchedule string = '0 0 3 * * *'

@description('NCRONTAB schedule of the purge of finished Durable instances (InstancePurgeSchedule).')
param instancePurgeSchedule string = '0 15 3 * * *'

@description('NCRONTAB schedule of the money monitor: captures not settled, refunds overdue, points balances (MoneyMonitorSchedule).')
param moneyMonitorSchedule string = '0 */5 * * * *'

@description('Retention__InstanceRetentionDays: finished sagas, refund orchestrations and statement runs created longer ago are purged (their timeline lines kept first); at least Intake__InboxRetentionDays, checked at start-up, and well past every gateway\'s retry horizon and the statement look-back.')
@minValue(1)
@maxValue(3650)
param retentionInstanceRetentionDays int = 90

@description('Retention__MaxInstancesPerRun: instances one purge run deletes at most; a backlog drains over several runs.')
@minValue(1)
@maxValue(100000)
param retentionMaxInstancesPerRun int = 2000

@description('Intake__MaxBodyBytes: largest accepted callback body; at most 64 KiB, what the inbox can store in a Table binary property.')
@minValue(1024)
@maxValue(65536)
param intakeMaxBodyBytes int = 65536

@description('Intake__ToleranceSeconds: allowed clock skew of a signed webhook timestamp.')
@minValue(1)
@maxValue(3600)
param intakeToleranceSeconds int = 300

@description('Intake__InboxRetentionDays: how long settled inbox rows are kept; at least the longest retry horizon of a configured gateway (Stripe: 3 days, WeChat Pay: 24 h 4 min, Alipay: 25 hours, Adyen: 30 days), checked at start-up.')
@minValue(1)
@maxValue(3650)
param intakeInboxRetentionDays int = 30

@description('Intake__StorageBudgetSeconds: how long intake\'s storage calls for one callback may take in all before it answers 503; inside the strictest gateway\'s deadline (WeChat Pay waits 5 s).')
@minValue(1)
@maxValue(30)
param intakeStorageBudgetSeconds int = 4

@description('Saga__PaymentWindowSeconds: how long an order waits for its payment.')
@minValue(1)
@maxValue(604800)
param sagaPaymentWindowSeconds int = 900

@description('Saga__PointsMaxAttempts.')
@minValue(1)
@maxValue(20)
param sagaPointsMaxAttempts int = 5

@description('Saga__PointsBackoffSeconds: first back-off between points attempts.')
@minValue(1)
@maxValue(3600)
param sagaPointsBackoffSeconds int = 30

@description('Saga__ActivityMaxAttempts.')
@minValue(1)
@maxValue(10)
param sagaActivityMaxAttempts int = 4

@description('Saga__ActivityBackoffSeconds: first back-off for retried activities.')
@minValue(1)
@maxValue(600)
param sagaActivityBackoffSeconds int = 2

@description('Saga__StorageOutageMinutes: how long the saga\'s reservation, stock commit and read-model records retry a storage failure (back-off doubling up to a minute) before giving up; after a capture the order is then parked, never refunded (saga 4.0).')
@minValue(0)
@maxValue(1440)
param sagaStorageOutageMinutes int = 10

@description('Saga__RestockOnFullRefund: whether an order refunded in full after its sale puts its committed stock back on the shelf (off: a refund is not a returned parcel).')
param sagaRestockOnFullRefund bool = false

@description('Saga__PointsPerMajorUnit: loyalty points per major currency unit paid.')
@minValue(0)
@maxValue(1000)
param sagaPointsPerMajorUnit int = 1

@description('Saga__Version: the saga version new orders\' sagas are stamped with, and the newest this deployment\'s workers run (older in-flight sagas replay their own steps). Raise it with every change to OrderSaga\'s steps (docs/design-notes.md, note 33).')
@minLength(1)
param sagaVersion string = '4.0'

@description('Lane__MaxAttempts: retry-lane attempts before a callback is dead-lettered (with the capped back-off, the lane\'s patience with an order-service outage).')
@minValue(1)
@maxValue(500)
param laneMaxAttempts int = 40

@description('Lane__BackoffSeconds: first retry-lane back-off; doubles per attempt.')
@minValue(1)
@maxValue(3600)
param laneBackoffSeconds int = 10

@description('Lane__MaxBackoffSeconds: longest retry-lane back-off; short, so a callback whose order appeared is not pushed far past it.')
@minValue(1)
@maxValue(300)
param laneMaxBackoffSeconds int = 60

@description('Lane__BatchSize: messages one retry-lane receiver takes per receive call.')
@minValue(1)
@maxValue(1000)
param laneBatchSize int = 32

@description('Lane__DrainSeconds: how long one retry-lane drain keeps receiving while messages are due (below functionTimeout, 5 min).')
@minValue(1)
@maxValue(240)
param laneDrainSeconds int = 120

@description('Lane__DrainConcurrency: receivers one retry-lane drain runs side by side.')
@minValue(1)
@maxValue(64)
param laneDrainConcurrency int = 8

@description('Lane__ScaleOutWorkers: drain workers (Durable activities over the app\'s instances) started when a drain runs out of time; 0 turns scale-out off.')
@minValue(0)
@maxValue(64)
param laneScaleOutWorkers int = 4

@description('Reconciler__ActiveQueryAfterSeconds: age of an unpaid order before the reconciler asks the gateway.')
@minValue(1)
@maxValue(86400)
param reconcilerActiveQueryAfterSeconds int = 120

@description('Reconciler__ActiveQueryMaxIntervalSeconds: longest wait between two active queries of one unpaid order (each waits twice the one before).')
@minValue(1)
@maxValue(86400)
param reconcilerActiveQueryMaxIntervalSeconds int = 1800

@description('Reconciler__MaxActiveQueriesPerRun: gateway queries per reconciler run.')
@minValue(1)
@maxValue(10000)
param reconcilerMaxActiveQueriesPerRun int = 200

@description('Reconciler__CrashedSagaGraceSeconds: how long after a saga failed or was terminated the sweep waits before deciding it (an activity it started may still complete; longer than functionTimeout).')
@minValue(0)
@maxValue(86400)
param reconcilerCrashedSagaGraceSeconds int = 600

@description('Reconciler__RefundFirstCheckSeconds: a refund accepted but not paid out is first asked about this long after it was requested, then with a doubling back-off.')
@minValue(1)
@maxValue(86400)
param reconcilerRefundFirstCheckSeconds int = 60

@description('Reconciler__RefundMaxCheckIntervalSeconds: longest wait between two looks at a refund not final yet.')
@minValue(1)
@maxValue(86400)
param reconcilerRefundMaxCheckIntervalSeconds int = 3600

@description('Monitor__CaptureSettleMinutes: a capture neither settling its order nor refunded in full (final) this long after it was recorded is a money-monitor finding (payments.money.findings, rule capture_unsettled) and alerted.')
@minValue(1)
@maxValue(10080)
param monitorCaptureSettleMinutes int = 60

@description('Reconciler__RefundOverdueAfterHours: a refund not final this long after it was requested is counted overdue (payments.refunds.overdue) and alerted.')
@minValue(1)
@maxValue(10000)
param reconcilerRefundOverdueAfterHours int = 72

@description('Reconciler__RelayMaxAttempts: outbox-relay passes that may fail to dispatch one stored callback before it is parked as a dead letter for an operator.')
@minValue(1)
@maxValue(10000)
param reconcilerRelayMaxAttempts int = 20

@description('Reconciler__StepBudgetSeconds: how long each recovery step (relay and active query, refund tracking, crashed-saga sweep, failed-refund sweep: a timer function each) may keep taking new work in one run; the rest comes first in its next run. Below the 5-minute functionTimeout.')
@minValue(1)
@maxValue(280)
param reconcilerStepBudgetSeconds int = 240

@description('Reconciler__StuckPaidAfterMinutes: an order shown Paid this long with its saga still running is parked as stuck (longer than the points back-off).')
@minValue(1)
@maxValue(100000)
param reconcilerStuckPaidAfterMinutes int = 360

@description('Reconciler__StatementChunkLines: statement rows per chunk activity of the statement run; bounds each function run well below functionTimeout.')
@minValue(1)
@maxValue(50000)
param reconcilerStatementChunkLines int = 5000

@description('Reconciler__StatementInlineChunks: chunks the statement run\'s staging step reconciles itself instead of staging them for chunk activities (a day of up to this many chunks is one activity); 0 stages every chunk.')
@minValue(0)
@maxValue(16)
param reconcilerStatementInlineChunks int = 8

@description('Reconciler__StatementIndexLagMinutes: how late after a capture the pipeline may record it and the statement run still find it by range read.')
@minValue(1)
@maxValue(1440)
param reconcilerStatementIndexLagMinutes int = 15

@description('Reconciler__StatementLedgerOnlyMarginSeconds: the statement run calls a ledger capture missing from the statement (ledger-only) only when it was recorded at least this long before the run read the statement.')
@minValue(0)
@maxValue(3600)
param reconcilerStatementLedgerOnlyMarginSeconds int = 300

@description('Reconciler__StatementSourceRetrySeconds: how long a statement run waits before asking again a gateway whose statement could not be read (six tries).')
@minValue(1)
@maxValue(86400)
param reconcilerStatementSourceRetrySeconds int = 600

@description('Gateway__BaseUrl: the payment gateway API.')
param gatewayBaseUrl string

@description('Gateway__AttemptTimeoutSeconds: timeout of one gateway HTTP attempt.')
@minValue(1)
@maxValue(120)
param gatewayAttemptTimeoutSeconds int = 10

@description('Connectors__Stripe__ApiBase: Stripe\'s API (a test double\'s address only outside production).')
param stripeApiBase string = 'https://api.stripe.com'

@description('Connectors__Stripe__AttemptTimeoutSeconds: timeout of one Stripe API attempt.')
@minValue(1)
@maxValue(120)
param stripeAttemptTimeoutSeconds int = 10

@description('Connectors__WeChatPay__MerchantId: the WeChat Pay merchant id (mchid); empty: the wechatpay connector is not configured (callbacks 503 naming the setting, health NotConfigured).')
param wechatPayMerchantId string = ''

@description('Connectors__WeChatPay__MerchantSerial: serial number of the merchant API certificate whose private key (Key Vault) signs requests.')
param wechatPayMerchantSerial string = ''

@description('Connectors__WeChatPay__PlatformPublicKeys: WeChat Pay public keys by serial, "{serial}={base64 PEM body}" separated by spaces; several during a key migration. Public keys, no secret.')
param wechatPayPlatformPublicKeys string = ''

@description('Connectors__WeChatPay__ApiBase: WeChat Pay\'s API v3 (a test double\'s address only outside production).')
param wechatPayApiBase string = 'https://api.mch.weixin.qq.com'

@description('Connectors__WeChatPay__RefundNotifyUrl: notify_url of every refund request (this app\'s /api/callbacks/wechatpay behind a custom domain); empty: https://{the app\'s host name}/api/callbacks/wechatpay.')
param wechatPayRefundNotifyUrl string = ''

@description('Connectors__WeChatPay__AttemptTimeoutSeconds: timeout of one WeChat Pay API attempt.')
@minValue(1)
@maxValue(120)
param wechatPayAttemptTimeoutSeconds int = 10

@description('Connectors__Alipay__AppId: the Alipay open-platform app id; empty: the alipay connector is not configured (callbacks 503 naming the setting, health NotConfigured).')
param alipayAppId string = ''

@description('Connectors__Alipay__SellerId: the seller (partner) id notifications must name; empty skips the check.')
param alipaySellerId string = ''

@description('Connectors__Alipay__GatewayUrl: Alipay\'s open-platform gateway (a test double\'s address only outside production).')
param alipayGatewayUrl string = 'https://openapi.alipay.com/gateway.do'

@description('Connectors__Alipay__AttemptTimeoutSeconds: timeout of one Alipay gateway attempt.')
@minValue(1)
@maxValue(120)
param alipayAttemptTimeoutSeconds int = 10

@description('Connectors__Adyen__MerchantAccounts: merchant account codes whose standard webhooks are taken (spaces or commas); empty: the adyen connector is not configured (callbacks 503 naming the setting, health NotConfigured).')
param adyenMerchantAccounts string = ''

@description('Connectors__Adyen__CaptureMode: how the Adyen merchant account captures, as set in the Customer Area: Immediate (an AUTHORISATION success is the money) or Delayed (the money moves on CAPTURE).')
@allowed([
  'Immediate'
  'Delayed'
])
param adyenCaptureMode string = 'Immediate'

@description('Lane__QueueName: the Service Bus retry-lane queue.')
@minLength(1)
@maxLength(260)
param retryLaneQueueName string = 'retry-lane'

@description('Deliveries of a retry-lane message before it is dead-lettered.')
@minValue(1)
@maxValue(100)
param retryLaneMaxDeliveryCount int = 10

@description('Duplicate detection window of the retry lane (ISO 8601).')
param retryLaneDuplicateDetectionWindow string = 'PT10M'

@description('Time to live of a retry-lane message before it is dead-lettered (ISO 8601).')
param retryLaneMessageTimeToLive string = 'P7D'

var isProd = environmentProfile == 'prod'

// ---- Names --------------------------------------------------------------------------------------

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  application: 'payments'
}
var names = {
  identity: 'id-payments-${token}'
  logAnalytics: 'log-payments-${token}'
  applicationInsights: 'appi-payments-${token}'
  storage: 'stpay${token}'
  serviceBus: 'sb-payments-${token}'
  keyVault: 'kv-pay-${token}${keyVaultNameSuffix}'
  plan: 'plan-payments-${token}'
  functionApp: 'func-payments-${token}'
  alertPrefix: 'payments-${environmentName}'
  network: 'payments-${token}'
}
// Flex Consumption deployment packages; one container per app.
var deploymentContainerName = 'app-package-${token}'

// Key Vault secret names behind the secret app settings; operators set their values (docs/deploy.md).
var secretNames = {
  standardSecrets: 'intake-standard-secrets'
  gatewayApiKey: 'gateway-api-key'
  stripeApiKey: 'connectors-stripe-api-key'
  stripeWebhookSecrets: 'connectors-stripe-webhook-secrets'
  wechatPayMerchantPrivateKey: 'connectors-wechatpay-merchant-private-key'
  wechatPayApiV3Key: 'connectors-wechatpay-apiv3-key'
  alipayAppPrivateKey: 'connectors-alipay-app-private-key'
  alipayPublicKeys: 'connectors-alipay-public-keys'
  adyenHmacKeys: 'connectors-adyen-hmac-keys'
}

// ---- Resources ----------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    publisherPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    appPrincipalId: identity.outputs.principalId
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    namespaceName: names.serviceBus
    location: location
    tags: tags
    queueName: retryLaneQueueName
    maxDeliveryCount: retryLaneMaxDeliveryCount
    duplicateDetectionWindow: retryLaneDuplicateDetectionWindow
    messageTimeToLive: retryLaneMessageTimeToLive
    appPrincipalId: identity.outputs.principalId
    skuName: serviceBusSku
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
    createMode: keyVaultCreateMode
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
  }
}

module network 'modules/network.bicep' = if (privateNetworking) {
  name: 'network'
  params: {
    namePrefix: names.network
    location: location
    tags: tags
    addressPrefix: virtualNetworkAddressPrefix
    storageAccountId: storage.outputs.id
    keyVaultId: keyVault.outputs.id
  }
}

// Production refuses to deploy without an alert recipient or the Entra ID app registration.
module productionRequirements 'modules/required.bicep' = if (isProd) {
  name: 'production-requirements'
  params: {
    alertEmail: alertEmail
    authClientId: authClientId
  }
}

// Every setting the app reads, by the name the app reads it (Section__Property for options classes,
// %Name% for timer schedules and host.json). tests/Payments.Infra.Tests discovers those names from the
// code and fails when one is missing here. Faults__* (fault injection) is deliberately absent:
// demos and tests only. Local counterparts: local.settings.json; mapping table: docs/deploy.md.
module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    zoneRedundant: zoneRedundant
    alwaysReadyInstances: alwaysReadyInstances
    virtualNetworkSubnetId: privateNetworking ? network!.outputs.appSubnetId : ''
    authClientId: authClientId
    authTenantId: authTenantId
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    dotnetVersion: dotnetVersion
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    appSettings: {
      // Functions host + Durable task hub storage, identity-based (no connection string, no key).
      AzureWebJobsStorage__accountName: storage.outputs.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      // DefaultAzureCredential in the app picks the user-assigned identity from this.
      AZURE_CLIENT_ID: identity.outputs.clientId
      DurableTaskHubName: durableTaskHubName
      ReconcilerSchedule: reconcilerSchedule
      RefundTrackingSchedule: refundTrackingSchedule
      CrashedSagaSweepSchedule: crashedSagaSweepSchedule
      FailedRefundSweepSchedule: failedRefundSweepSchedule
      RetryLaneSchedule: retryLaneSchedule
      DeadLetterSchedule: deadLetterSchedule
      StatementSchedule: statementSchedule
      InboxPurgeSchedule: inboxPurgeSchedule
      InstancePurgeSchedule: instancePurgeSchedule
      MoneyMonitorSchedule: moneyMonitorSchedule
      Monitor__CaptureSettleMinutes: string(monitorCaptureSettleMinutes)
      Retention__InstanceRetentionDays: string(retentionInstanceRetentionDays)
      Retention__MaxInstancesPerRun: string(retentionMaxInstancesPerRun)

      // Pipeline storage (StorageOptions): service URIs + managed identity instead of ConnectionString.
      // credential/clientId follow the Functions identity-connection convention, so "PaymentsStorage"
      // also works as a binding connection name.
      PaymentsStorage__TableServiceUri: storage.outputs.tableEndpoint
      PaymentsStorage__QueueServiceUri: storage.outputs.queueEndpoint
      PaymentsStorage__BlobServiceUri: storage.outputs.blobEndpoint
      PaymentsStorage__credential: 'managedidentity'
      PaymentsStorage__clientId: identity.outputs.clientId

      Intake__MaxBodyBytes: string(intakeMaxBodyBytes)
      Intake__ToleranceSeconds: string(intakeToleranceSeconds)
      Intake__InboxRetentionDays: string(intakeInboxRetentionDays)
      Intake__StorageBudgetSeconds: string(intakeStorageBudgetSeconds)
      // Secrets: Key Vault references without a version, so a rotated secret is picked up.
      Intake__StandardSecrets: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.standardSecrets}/)'

      Saga__PaymentWindowSeconds: string(sagaPaymentWindowSeconds)
      Saga__PointsMaxAttempts: string(sagaPointsMaxAttempts)
      Saga__PointsBackoffSeconds: string(sagaPointsBackoffSeconds)
      Saga__ActivityMaxAttempts: string(sagaActivityMaxAttempts)
      Saga__ActivityBackoffSeconds: string(sagaActivityBackoffSeconds)
      Saga__PointsPerMajorUnit: string(sagaPointsPerMajorUnit)
      Saga__StorageOutageMinutes: string(sagaStorageOutageMinutes)
      Saga__RestockOnFullRefund: string(sagaRestockOnFullRefund)
      // One saga version for both: the app stamps new sagas with it, and the Durable extension's
      // host.json defaultVersion (overridden here) makes the host run instances of this version or
      // older only (versionMatchStrategy CurrentOrOlder, versionFailureStrategy Reject in host.json).
      Saga__Version: sagaVersion
      AzureFunctionsJobHost__extensions__durableTask__defaultVersion: sagaVersion

      Gateway__BaseUrl: gatewayBaseUrl
      Gateway__AttemptTimeoutSeconds: string(gatewayAttemptTimeoutSeconds)
      Gateway__ApiKey: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.gatewayApiKey}/)'

      // Gateway connectors, one block each (Gateway/<Name>/ in the core). The simulator connector is the
      // Gateway__* block above (provider 'standard'); Stripe talks to Stripe's API through Stripe.net.
      Connectors__Stripe__ApiBase: stripeApiBase
      Connectors__Stripe__AttemptTimeoutSeconds: string(stripeAttemptTimeoutSeconds)
      Connectors__Stripe__ApiKey: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.stripeApiKey}/)'
      Connectors__Stripe__WebhookSecrets: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.stripeWebhookSecrets}/)'
      // WeChat Pay API v3 (Gateway/WeChatPay): registered only with a merchant id. The merchant key
      // signs requests, the APIv3 key decrypts notifications; WeChat Pay's public keys are no secret.
      Connectors__WeChatPay__MerchantId: wechatPayMerchantId
      Connectors__WeChatPay__MerchantSerial: wechatPayMerchantSerial
      Connectors__WeChatPay__PlatformPublicKeys: wechatPayPlatformPublicKeys
      Connectors__WeChatPay__ApiBase: wechatPayApiBase
      Connectors__WeChatPay__RefundNotifyUrl: wechatPayRefundNotifyUrl
      Connectors__WeChatPay__AttemptTimeoutSeconds: string(wechatPayAttemptTimeoutSeconds)
      Connectors__WeChatPay__MerchantPrivateKey: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.wechatPayMerchantPrivateKey}/)'
      Connectors__WeChatPay__ApiV3Key: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.wechatPayApiV3Key}/)'
      // Alipay (RSA2, no SDK): the app's private key signs requests, Alipay's public keys verify
      // notifications and answers; both from Key Vault so either can be rotated there.
      Connectors__Alipay__AppId: alipayAppId
      Connectors__Alipay__SellerId: alipaySellerId
      Connectors__Alipay__GatewayUrl: alipayGatewayUrl
      Connectors__Alipay__AttemptTimeoutSeconds: string(alipayAttemptTimeoutSeconds)
      Connectors__Alipay__AppPrivateKey: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.alipayAppPrivateKey}/)'
      Connectors__Alipay__AlipayPublicKeys: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.alipayPublicKeys}/)'
      // Adyen standard webhooks, intake only: HMAC keys (hex) from Key Vault.
      Connectors__Adyen__MerchantAccounts: adyenMerchantAccounts
      Connectors__Adyen__CaptureMode: adyenCaptureMode
      Connectors__Adyen__HmacKeys: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.adyenHmacKeys}/)'

      // Retry lane on Service Bus (identity-based: the namespace has local auth disabled).
      Lane__Transport: 'ServiceBus'
      Lane__QueueName: serviceBus.outputs.queueName
      Lane__MaxAttempts: string(laneMaxAttempts)
      Lane__BackoffSeconds: string(laneBackoffSeconds)
      Lane__MaxBackoffSeconds: string(laneMaxBackoffSeconds)
      Lane__BatchSize: string(laneBatchSize)
      Lane__DrainSeconds: string(laneDrainSeconds)
      Lane__DrainConcurrency: string(laneDrainConcurrency)
      Lane__ScaleOutWorkers: string(laneScaleOutWorkers)
      Reconciler__ActiveQueryAfterSeconds: string(reconcilerActiveQueryAfterSeconds)
      Reconciler__ActiveQueryMaxIntervalSeconds: string(reconcilerActiveQueryMaxIntervalSeconds)
      Reconciler__MaxActiveQueriesPerRun: string(reconcilerMaxActiveQueriesPerRun)
      Reconciler__RelayMaxAttempts: string(reconcilerRelayMaxAttempts)
      Reconciler__StepBudgetSeconds: string(reconcilerStepBudgetSeconds)
      Reconciler__StuckPaidAfterMinutes: string(reconcilerStuckPaidAfterMinutes)
      Reconciler__CrashedSagaGraceSeconds: string(reconcilerCrashedSagaGraceSeconds)
      Reconciler__RefundFirstCheckSeconds: string(reconcilerRefundFirstCheckSeconds)
      Reconciler__RefundMaxCheckIntervalSeconds: string(reconcilerRefundMaxCheckIntervalSeconds)
      Reconciler__RefundOverdueAfterHours: string(reconcilerRefundOverdueAfterHours)
      Reconciler__StatementChunkLines: string(reconcilerStatementChunkLines)
      Reconciler__StatementInlineChunks: string(reconcilerStatementInlineChunks)
      Reconciler__StatementIndexLagMinutes: string(reconcilerStatementIndexLagMinutes)
      Reconciler__StatementLedgerOnlyMarginSeconds: string(reconcilerStatementLedgerOnlyMarginSeconds)
      Reconciler__StatementSourceRetrySeconds: string(reconcilerStatementSourceRetrySeconds)
      ServiceBus__FullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      ServiceBus__credential: 'managedidentity'
      ServiceBus__clientId: identity.outputs.clientId

      // Operator API behind Entra ID (App Service authentication, modules/functionapp.bicep): with an
      // app registration the app requires the signed-in principal and its app role, and audits who acted.
      OperatorAccess__RequireSignIn: string(!empty(authClientId))
      OperatorAccess__Role: operatorAppRole
    }
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: names.alertPrefix
    tags: tags
    location: location
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    serviceBusNamespaceId: serviceBus.outputs.namespaceId
    retryLaneQueueName: serviceBus.outputs.queueName
    alertEmail: alertEmail
    functionAppHostName: functionApp.outputs.defaultHostName
  }
}

// ---- Outputs (azd stores these in the environment) -----------------------------------------------

output AZURE_LOCATION string = location
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
