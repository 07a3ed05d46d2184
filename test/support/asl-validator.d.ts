// asl-validator 4 ships no type declarations; this covers the call the tests make.
declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: { 'Error code'?: string; Message?: string; [key: string]: unknown }[];
  }
  function validator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): AslValidationResult;
  export = validator;
}
