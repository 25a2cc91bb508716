export * from './classified-fields';
export * from './enforce-classified-fields';
export * from './forbidden-field-error';
export * from './sealed-identifier-inputs';
