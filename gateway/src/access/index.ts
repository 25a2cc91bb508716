// The gateway's layer of field-level access control (docs/access-model.md section 6).
export { EnforcingGateway, type AccessRequestContext, type EnforcingGatewayOptions, type GatewayDenial } from './enforcing-gateway';
export { readFieldClassifications, classificationFor, type FieldClassifications, type FieldCoordinate } from './field-classifications';
export { NeverReadableFields, accessSubjectKey, type AccessSubject, type FieldDenial } from './never-readable-fields';
export {
  ACCESS_TYPENAME_KEY,
  OperationAccessFilter,
  type CallerOperationFilter,
  type FilteredOperation,
  type InclusionCondition,
  type OperationAccessFilterOptions,
  type RemovedField,
  type ResponsePathStep,
} from './operation-access-filter';
export { neverReadableFieldError, restoreRemovedFields, type RemovedFieldDenial, type RestoreOptions, type RestoredResponse } from './restore-removed-fields';
export { RoleOperationValidation } from './role-operation-validation';
export { RoleSchemas, buildRoleSchema } from './role-schema';
