// The Function App (isolated worker, Linux) and its plan: Flex Consumption by default, Elastic Premium
// when always-warm instances are wanted. The app runs as the user-assigned identity for storage,
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

@description('FlexConsumption (default, scale to zero) or ElasticPremium (pre-warmed instances).')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param hostingPlan string

@description('Elastic Premium size; ignored on Flex Consumption.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param elasticPremiumSku string

@description('Upper bound on instances (Flex maximumInstanceCount / Elastic Premium maximum burst).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Flex Consumption instance memory in MB; ignored on Elastic Premium.')
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

var isFlex = hostingPlan == 'FlexConsumption'

// Settings the platform needs rather than the app; they differ by plan. Flex Consumption rejects
// FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION / WEBSITE_RUN_FROM_PACKAGE (its runtime and
// package live in functionAppConfig). Elastic Premium runs from the zip package deployed by
// azd / zip deploy; it is given no Azure Files content share because that setting only accepts an
// account-key connection string and the account has shared-key access disabled.
var platformSettings = union(
  {
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  },
  isFlex
    ? {}
    : {
        FUNCTIONS_EXTENSION_VERSION: '~4'
        FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
        WEBSITE_RUN_FROM_PACKAGE: '1'
      }
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: isFlex
    ? {
        name: 'FC1'
        tier: 'FlexConsumption'
      }
    : {
        name: elasticPremiumSku
        tier: 'ElasticPremium'
      }
  properties: {
    reserved: true
    maximumElasticWorkerCount: isFlex ? null : maximumInstanceCount
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
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      linuxFxVersion: isFlex ? null : 'DOTNET-ISOLATED|${dotnetVersion}'
      minimumElasticInstanceCount: isFlex ? null : 1
    }
    functionAppConfig: isFlex
      ? {
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
          }
          runtime: {
            name: 'dotnet-isolated'
            version: dotnetVersion
          }
        }
      : null
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

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
