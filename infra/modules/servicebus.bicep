// The retry lane in Azure: a Service Bus queue of callbacks that could not be applied yet. Back-off
// between attempts is done with scheduled messages by the app; the queue bounds the attempts
// (max delivery count), drops accidental double sends (duplicate detection) and dead-letters both
// exhausted and expired messages so the dead-letter handler sees every one of them.
// Local (SAS key) auth is disabled: only Entra identities can send or receive.

@description('Service Bus namespace name.')
param namespaceName string

@description('Azure region.')
param location string

@description('Tags applied to the namespace.')
param tags object

@description('Name of the retry-lane queue.')
param queueName string

@description('Deliveries before a message is dead-lettered.')
@minValue(1)
@maxValue(100)
param maxDeliveryCount int

@description('Window in which a repeated MessageId is dropped (ISO 8601 duration, 20 s to 7 days).')
param duplicateDetectionWindow string

@description('How long an undelivered message lives before it is dead-lettered (ISO 8601 duration).')
param messageTimeToLive string

@description('Principal id of the Function App identity.')
param appPrincipalId string

@description('Standard (no availability zones) or Premium (zone redundant, private endpoints possible).')
@allowed([
  'Standard'
  'Premium'
])
param skuName string

@description('Premium messaging units (1, 2, 4, 8, 16); ignored on Standard.')
@allowed([
  1
  2
  4
  8
  16
])
param premiumCapacity int = 1

@description('How long a received message stays locked to the drain (ISO 8601); the lane renews a lock with less than 30 s left.')
param lockDuration string = 'PT1M'

@description('Log Analytics workspace for the namespace\'s logs and metrics.')
param logAnalyticsWorkspaceId string

// Built-in data-plane roles, scoped to the one queue (its dead-letter sub-queue included).
var roles = {
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  // Standard is the lowest tier with duplicate detection and scheduled messages at queue level; only
  // Premium spreads a namespace over availability zones.
  sku: {
    name: skuName
    tier: skuName
    capacity: skuName == 'Premium' ? premiumCapacity : null
  }
  properties: {
    zoneRedundant: skuName == 'Premium'
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    maxDeliveryCount: maxDeliveryCount
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: messageTimeToLive
    lockDuration: lockDuration
    maxSizeInMegabytes: 1024
    requiresSession: false
    enablePartitioning: false
  }
}

resource appRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(roles): {
    name: guid(queue.id, appPrincipalId, role.value)
    scope: queue
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output namespaceId string = namespace.id
output namespaceName string = namespace.name
// Host name only (no scheme, no port), the form ServiceBusClient and the Functions identity convention
// expect; taken from the endpoint ('https://<name>.servicebus.windows.net:443/') so it holds in any cloud.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]
output queueName string = queue.name
