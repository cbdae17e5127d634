export {
  type AgentKey,
  MAX_MODULUS_BITS,
  MIN_MODULUS_BITS,
  MIN_PUBLIC_EXPONENT,
  PUBLIC_EXPONENT_LIMIT,
  parseAgentPublicKey,
} from "./agent-key.js";
export {
  type DecryptPasswordOptions,
  decryptPassword,
} from "./decrypt-password.js";
export {
  type EncryptPasswordOptions,
  encryptPassword,
} from "./encrypt-password.js";
export { ENVELOPE_VERSION, open, seal, sealedKeyId } from "./envelope.js";
export {
  type CryptoError,
  type CryptoErrorCode,
  type CryptoErrorOf,
  CryptoErrors,
  type KeyRole,
  type SealedValueProblem,
} from "./errors.js";
export {
  createKeyring,
  generateSealingKey,
  type Keyring,
  type KeyringConfig,
  type KeyringFromEnv,
  keyringFromEnv,
  SEALING_KEY_CURRENT_ENV,
  SEALING_KEYS_ENV,
  type SealingKeyConfig,
} from "./keyring.js";
export {
  createPasswordVault,
  type PasswordVaultOptions,
} from "./password-vault.js";
export {
  type AgentPrivateKey,
  type AgentPrivateKeyInput,
  parseAgentPrivateKey,
} from "./private-key.js";
export { isRsaPadding, maxPassphraseBytes, RSA_PADDINGS, type RsaPadding } from "./rsa-padding.js";
export { Secret } from "./secret.js";
