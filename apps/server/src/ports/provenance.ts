/** The output formats that carry an embedded C2PA manifest (webm and gif are not covered by the C2PA library). */
export type ProvenanceMime = 'image/png' | 'image/jpeg' | 'video/mp4';

/** What the manifest says about one generated file. */
export interface ProvenanceClaim {
  /** the file to sign; it is rewritten in place (atomically) with the manifest embedded */
  path: string;
  mime: ProvenanceMime;
  /** model id from the registry (a key of MODELS in the contract) */
  model: string;
  /** the model's display name, e.g. "Pony Diffusion V6 XL" */
  modelLabel: string;
  /** MediaGen's version (claim generator "MediaGen/<version>") */
  version: string;
  /** when the generation finished */
  createdAt: Date;
}

export type ManifestValidationState = 'Invalid' | 'Valid' | 'Trusted';

/** A manifest read back from a file and validated (signature, hard binding to the bytes, certificate). */
export interface ManifestSummary {
  /** "MediaGen/0.1.0" */
  claimGenerator: string;
  title: string | undefined;
  /** the c2pa.created action, if the manifest has one */
  created:
    { digitalSourceType: string | undefined; softwareAgent: string | undefined; when: string | undefined } | undefined;
  /** the model id MediaGen recorded */
  model: string | undefined;
  signer: { commonName: string | undefined; issuer: string | undefined; alg: string | undefined };
  /** Trusted: chains to a configured trust anchor; Valid: intact and well signed, signer not on a trust list */
  validationState: ManifestValidationState;
  /** validation failure codes, e.g. "signingCredential.untrusted", "assertion.dataHash.mismatch" */
  failures: string[];
}

/** Embeds and reads signed C2PA manifests ("made by a generative model") in outputs. */
export interface ProvenanceSigner {
  sign(claim: ProvenanceClaim): Promise<void>;
  /** undefined when the file carries no manifest */
  read(path: string, mime: ProvenanceMime): Promise<ManifestSummary | undefined>;
  close(): Promise<void>;
}
