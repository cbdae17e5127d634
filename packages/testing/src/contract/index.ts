export {
  type ContractSubject,
  type InspectedRow,
  type RepositoryInspector,
  restoreRepositoryContract,
} from "./repository-contract.js";
