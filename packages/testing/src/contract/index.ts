export {
  type ContractSubject,
  type RepositoryInspector,
  restoreRepositoryContract,
} from "./repository-contract.js";
