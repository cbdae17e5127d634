import {
  createRestoreService,
  type Principal,
  type RequestContext,
  type Restore,
  type RestoreRepository,
  type RestoreService,
} from "@restorekit/core";
import {
  agentPrincipal,
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  fakeBackupCatalog,
  fixedClock,
  inMemoryPasswordVault,
  UNENCRYPTED_BACKUP_ID,
  userPrincipal,
} from "@restorekit/testing";
import { postgresIdGenerator, postgresRepository, type SqlClient } from "../../src/index.js";

export interface ServiceOn {
  readonly service: RestoreService;
  readonly repository: RestoreRepository;
  user(): RequestContext;
  agent(): RequestContext;
  /** Creates a plain restore of the default tenant for the destination agent. */
  create(): Promise<Restore>;
  /** Creates and starts one: it waits in StartRequested. */
  createStarted(): Promise<Restore>;
}

let request = 0;

function contextOf(principal: Principal): RequestContext {
  request += 1;
  return { principal, tenantId: DEFAULT_TENANT, requestId: `pg-test-${request}` };
}

/** Core's service over the Postgres repository and id generator, with the testing fakes for the rest. */
export function serviceOn(
  client: SqlClient,
  schema: string,
  repository: RestoreRepository = postgresRepository(client, { schema }),
): ServiceOn {
  const service = createRestoreService({
    repository,
    ids: postgresIdGenerator(client, { schema }),
    catalog: fakeBackupCatalog(),
    vault: inMemoryPasswordVault(),
    clock: fixedClock(),
  });
  const user = () => contextOf(userPrincipal());
  const agent = () => contextOf(agentPrincipal());
  const create = async () =>
    (
      await service.createRestore(user(), {
        backupId: UNENCRYPTED_BACKUP_ID,
        backupMachineId: BACKUP_MACHINE_ID,
        destinationMachineId: DESTINATION_MACHINE_ID,
        destinationPath: "/var/restore",
        overwriteFiles: false,
      })
    )._unsafeUnwrap();
  return {
    service,
    repository,
    user,
    agent,
    create,
    async createStarted() {
      const restore = await create();
      return (
        await service.requestAction(user(), {
          action: "StartManual",
          restoreId: restore.restoreId,
          encryptedPassword: null,
        })
      )._unsafeUnwrap();
    },
  };
}
