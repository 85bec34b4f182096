// The base of every error Sluice raises on purpose: its message is written for the person who has to act on it.
export class SluiceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
