// The Function App's user-assigned managed identity. User-assigned (not system-assigned) so every role
// assignment and the Key Vault reference identity exist before the app first starts, and so the Flex
// Consumption deployment container can be read with the same identity.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
