export {
  type IdempotencyKeysSubject,
  idempotencyKeysContract,
} from "./idempotency-keys-contract.js";
export {
  type ContractSubject,
  type InspectedRow,
  type RepositoryInspector,
  restoreRepositoryContract,
} from "./repository-contract.js";
