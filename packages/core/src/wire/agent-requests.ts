import { z } from "zod";
import type { AgentRequest } from "../ports.js";
import type { Restore } from "../restore.js";

/**
 * One request for a destination agent on
 * `GET /v2/{project_id}/agents/{agent_id}/requests`, in the v2 spelling:
 * what to do (`action`), on which restore, at which version, with the
 * restore's work order, so the agent needs no other read to start.
 */
export const agentRequestSchema = z.object({
  restore_id: z.int().min(1).describe("The restore to act on."),
  action: z
    .enum(["start", "stop"])
    .describe("`start`: take the restore and carry it out; `stop`: stop the work on it."),
  version: z
    .int()
    .min(1)
    .describe(
      "The restore's version once the request was made; a request may come twice (at least once), so dedupe on `restore_id` and `action`.",
    ),
  backup_id: z.int().min(1),
  backup_configuration_id: z.int().min(1),
  backup_machine_id: z.int().min(1).describe("The machine the backup was taken on."),
  restore_point: z.string().describe("The backup's restore point, ISO 8601 in UTC."),
  destination_path: z.string().describe("Where to restore the files on this machine."),
  overwrite_files: z.boolean().describe("Whether files already there are replaced."),
  is_encrypted: z
    .boolean()
    .describe(
      "Whether the backup is encrypted: then fetch the password from `GET /v2/{project_id}/restores/{restore_id}/password` and decrypt it with the agent's private key.",
    ),
});

/** The body of the agent's request list, and the `data` of each event of its stream. */
export const agentRequestsSchema = z.object({ requests: z.array(agentRequestSchema) });

export type AgentRequestWire = z.infer<typeof agentRequestSchema>;

/**
 * A request as the agent's route sends it, from the request and the restore
 * it names as the store holds it.
 *
 * @example
 * ```ts
 * const wire = toAgentRequestWire(request, restore); // { restore_id: 13692, action: "start", ... }
 * ```
 */
export function toAgentRequestWire(
  request: Pick<AgentRequest, "restoreId" | "action" | "version">,
  restore: Restore,
): AgentRequestWire {
  return {
    restore_id: request.restoreId,
    action: request.action,
    version: request.version,
    backup_id: restore.config.backupId,
    backup_configuration_id: restore.backup.backupConfigurationId,
    backup_machine_id: restore.config.backupMachineId,
    restore_point: restore.backup.restorePoint,
    destination_path: restore.config.destinationPath,
    overwrite_files: restore.config.overwriteFiles,
    is_encrypted: restore.backup.isEncrypted,
  };
}
