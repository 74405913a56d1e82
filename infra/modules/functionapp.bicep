// The Function App (isolated worker, Linux) and its Flex Consumption plan: scale to zero in dev; in
// prod zone redundant with always-ready instances for the `http` and `durable` groups (the documented
// way to run Durable Functions on Flex without cold starts; docs/deploy.md). The app runs as the user-assigned identity for storage,
// Service Bus, Key Vault references and telemetry, and takes the app settings it is given verbatim
// (main.bicep owns that list, so one place shows every setting the app reads).

@description('Function App name.')
param name string

@description('Hosting plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to the plan and the app (the app also gets azd-service-name).')
param tags object

@description('Spread the plan\'s instances over the region\'s availability zones (needs zone-redundant storage).')
param zoneRedundant bool

@description('Always-ready instances for each of the `http` and `durable` groups (0: scale to zero).')
@minValue(0)
@maxValue(20)
param alwaysReadyInstances int

@description('Upper bound on instances (Flex maximumInstanceCount).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Flex Consumption instance memory in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('.NET version of the isolated worker.')
param dotnetVersion string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (for Application Insights Entra authentication).')
param identityClientId string

@description('Blob container URL for Flex Consumption deployment packages.')
param deploymentContainerUrl string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Every setting the app reads, as Name: value (see main.bicep).')
param appSettings object


@description('Subnet the app\'s outbound traffic goes through (VNet integration); empty for none.')
param virtualNetworkSubnetId string = ''

@description('Client id of the Entra ID app registration in front of the operator and order routes; empty: no platform sign-in.')
param authClientId string = ''

@description('Tenant of that app registration.')
param authTenantId string = ''

@description('Log Analytics workspace that receives the app\'s FunctionAppLogs; empty for none.')
param logAnalyticsWorkspaceId string = ''

// Settings the platform needs rather than the app. Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME /
// FUNCTIONS_EXTENSION_VERSION / WEBSITE_RUN_FROM_PACKAGE: its runtime and package live in
// functionAppConfig (the package in the deployment container, read with the app's identity).
var platformSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// Flex scales per group: `http` (callbacks, orders, operator API) and `durable` (orchestrators,
// activities, entities). Always-ready instances keep both warm; timers scale on demand.
var alwaysReady = alwaysReadyInstances == 0
  ? []
  : [
      {
        name: 'http'
        instanceCount: alwaysReadyInstances
      }
      {
        name: 'durable'
        instanceCount: alwaysReadyInstances
      }
    ]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
    zoneRedundant: zoneRedundant
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReady
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, platformSettings)
}

// No basic (user/password) publishing: deployments authenticate with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// App Service authentication (Easy Auth) with Entra ID. Callbacks (signature-checked by the app) and
// the health probe stay anonymous; every other route needs a token for the app registration, and the
// app checks the app role (X-MS-CLIENT-PRINCIPAL, injected by the platform, which strips any copy a
// client sends) and records who acted.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(authClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: [
        '/api/callbacks'
        '/api/health'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
            authClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

resource appDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (!empty(logAnalyticsWorkspaceId)) {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
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

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
