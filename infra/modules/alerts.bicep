// Alerts an operator acts on: anything dead-lettered, anything parked, any reconciliation discrepancy,
// any failed orchestration. Each fires on the first occurrence (> 0): in a payments pipeline each of
// these is a customer's money or order waiting for a person.

@description('Prefix for alert names.')
param namePrefix string

@description('Tags applied to the alerts.')
param tags object

@description('Azure region of the log alerts (the Application Insights component\'s region).')
param location string

@description('Application Insights component the log alerts query.')
param applicationInsightsId string

@description('Service Bus namespace that holds the retry lane.')
param serviceBusNamespaceId string

@description('Retry-lane queue whose dead-letter count is watched.')
param retryLaneQueueName string

@description('Retry-lane backlog alert: the oldest waiting callback is older than this (seconds).')
param laneBacklogAgeSeconds int = 600

@description('Retry-lane backlog alert: more messages than this on the lane (Storage Queue transport; Service Bus shows its own queue metrics).')
param laneBacklogDepth int = 1000

@description('E-mail address notified by the action group; empty for no e-mail receiver.')
param alertEmail string

@description('Host name of the Function App, whose /api/health the availability test calls.')
param functionAppHostName string

@description('Availability test locations (Azure Monitor location ids); two failing at once fire the alert.')
param availabilityLocations array = [
  'us-va-ash-azr'
  'emea-nl-ams-azr'
  'apac-sg-sin-azr'
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'payments'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'operators'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

resource deadLetters 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-retry-lane-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'Callbacks in the retry lane\'s dead-letter queue: classify and re-drive or park them.'
    severity: 1
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadLettered'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                retryLaneQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// /api/health answers 503 while a secret setting is an unresolved Key Vault reference (the app then
// refuses that provider's callbacks and every gateway call). App Service hands such a reference to the
// app as literal text without any error of its own, so an availability test against the health
// endpoint is what notices: it is not sampled, and it needs no telemetry from the app.
resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: '${namePrefix}-health'
  location: location
  kind: 'standard'
  tags: union(tags, {
    'hidden-link:${applicationInsightsId}': 'Resource'
  })
  properties: {
    SyntheticMonitorId: '${namePrefix}-health'
    Name: '${namePrefix}-health'
    Description: 'GET /api/health: 503 names a secret setting that did not resolve (see docs/deploy.md).'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [for id in availabilityLocations: { Id: id }]
    Request: {
      RequestUrl: 'https://${functionAppHostName}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
      FollowRedirects: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource healthAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-health-unavailable'
  location: 'global'
  tags: tags
  properties: {
    description: 'GET /api/health is failing: a secret did not resolve (a provider refuses callbacks, the gateway is not called) or the app is down.'
    severity: 1
    enabled: true
    scopes: [
      healthTest.id
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: applicationInsightsId
      failedLocationCount: 2
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// Log alerts on Application Insights, one per operator-facing condition. Queries use the classic
// Application Insights schema (traces, customMetrics) because they are scoped to the component.
var logAlerts = [
  {
    name: 'parked-items'
    severity: 2
    description: 'Work parked for an operator (points grant exhausted, amount mismatch, ...): see GET /api/ops/parked.'
    // ParkedItems is written by the saga's Park activity, which logs "Parked {Kind} for order {OrderId}: {Reason}".
    query: 'traces | where message startswith "Parked " and message has " for order "'
  }
  {
    name: 'reconciliation-discrepancies'
    severity: 1
    description: 'The daily statement reconciliation found a discrepancy it could not heal by itself.'
    // Counter the statement run adds its new discrepancies to (Recovery/PipelineMetrics.cs).
    query: 'customMetrics | where name == "payments.reconciliation.discrepancies" and valueSum > 0'
  }
  {
    name: 'provider-mismatch'
    severity: 1
    description: 'A verified callback or statement line of one gateway named an order registered with another gateway: parked as provider_mismatch, never applied. A leaked webhook secret, or two gateways whose ids collide: see GET /api/ops/parked.'
    // Counter dispatch and the statement run add to (Saga/SagaMetrics.cs).
    query: 'customMetrics | where name == "payments.callbacks.provider_mismatch" and valueSum > 0'
  }
  {
    name: 'money-findings'
    severity: 1
    description: 'The money monitor found a payment breaking a money rule: a capture neither settling its order nor refunded in full past Monitor__CaptureSettleMinutes, a refund not final past Reconciler__RefundOverdueAfterHours, or a points balance that is not its grants less its reversals. The console\'s Money monitor panel lists each with its timeline; docs/deploy.md says what to do per rule.'
    // Gauge the money monitor records per rule on each run (Recovery/PipelineMetrics.cs).
    query: 'customMetrics | where name == "payments.money.findings" and valueMax > 0'
  }
  {
    name: 'statement-run-incomplete'
    severity: 1
    description: 'A statement run gave up after its retries, or a gateway statement could not be read (the run asks it again): that day is not fully reconciled. GET /api/ops/reconciliation/{date} shows failure and sourceFailures.'
    // Counters the statement run adds to (Recovery/PipelineMetrics.cs).
    query: 'customMetrics | where (name == "payments.reconciliation.runs_failed" or name == "payments.reconciliation.sources_failed") and valueSum > 0'
  }
  {
    name: 'retry-lane-backlog'
    severity: 2
    description: 'The retry lane is growing: callbacks wait for orders that do not appear (order service down or slow?) or the drain does not keep up. Depth and age of the oldest callback are in the payments.lane.* metrics.'
    // Gauges the retry-lane drain records on the Payments.Pipeline meter (Recovery/PipelineMetrics.cs) each run.
    query: 'customMetrics | where (name == "payments.lane.oldest_age_seconds" and valueMax > ${laneBacklogAgeSeconds}) or (name == "payments.lane.depth" and valueMax > ${laneBacklogDepth})'
  }
  {
    name: 'failed-orchestrations'
    severity: 1
    description: 'An orchestration (order saga or late-payment refund) ended Failed: the order is stuck until an operator looks.'
    // Durable Functions tracking events (category Host.Triggers.DurableTask, fields prefixed prop__).
    query: 'traces | where customDimensions.Category == "Host.Triggers.DurableTask" and customDimensions.prop__functionType == "Orchestrator" and customDimensions.prop__state == "Failed"'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in logAlerts: {
    name: '${namePrefix}-${alert.name}'
    location: location
    tags: tags
    properties: {
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]
