/** Base class of every error the library throws on purpose. */
export class TpoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The graph input is unusable: no query, or a conversation that does not end with a user turn. */
export class TpoInputError extends TpoError {}

/** A run setting is out of range or of the wrong type; `field` names it. */
export class TpoSettingsError extends TpoError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A reward model returned something other than one finite number per item. */
export class RewardModelError extends TpoError {}

/** The models are not configured, or configured inconsistently. */
export class TpoConfigError extends TpoError {}

/** A feature TPO does not offer, such as tool calling on TpoChatModel; the message says what to use instead. */
export class TpoUnsupportedError extends TpoError {}
