// Deployed only for production (main.bicep): it has no resources, only parameters that must not be
// empty, so Azure refuses a production deployment that lacks them before anything is created.

@description('Where production alerts go: an action group without a receiver notifies no one.')
@minLength(3)
param alertEmail string

@description('Client id of the Entra ID app registration in front of the operator routes: without it, /api/ops/* would take any function key and the audit could not name the caller.')
@minLength(36)
param authClientId string

output alertEmail string = alertEmail
output authClientId string = authClientId
