//! Key material: generating key pairs and reading pasted private keys into one form, the
//! unencrypted OpenSSH PEM libssh2 reads, plus the public facts shown about them.
//!
//! Pure and blocking (RSA prime search, bcrypt-pbkdf): callers run it on the blocking pool.
//! Nothing here touches the store or logs; plaintext buffers are zeroized when dropped.

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::der::Decode;
use rsa::traits::PublicKeyParts;
use ssh_key::private::{KeypairData, RsaKeypair};
use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey};
use zeroize::Zeroizing;

use super::{KeyAlgorithm, KeyType, MAX_IMPORT_BYTES, SshKeyError};

/// Modulus of generated RSA keys.
pub const RSA_BITS: usize = 4096;
/// Shorter RSA keys are refused on import.
const RSA_MIN_BITS: usize = 2048;

/// A key pair ready to store: the public facts and the sealed-to-be private half.
pub struct Material {
    pub key_type: KeyType,
    pub bits: Option<u32>,
    pub fingerprint: String,
    /// The `authorized_keys` line, without a newline.
    pub public_key: String,
    pub comment: String,
    /// Unencrypted OpenSSH PEM.
    pub private_pem: Zeroizing<String>,
}

/// Never the private half.
impl std::fmt::Debug for Material {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Material").field("fingerprint", &self.fingerprint).finish_non_exhaustive()
    }
}

/// A fresh key pair. RSA takes seconds.
pub fn generate(algorithm: KeyAlgorithm, comment: &str) -> Result<Material, SshKeyError> {
    let failed = |e: ssh_key::Error| SshKeyError::Generate(e.to_string());
    let data = match algorithm {
        KeyAlgorithm::Ed25519 => KeypairData::from(ssh_key::private::Ed25519Keypair::random(&mut OsRng)),
        KeyAlgorithm::Rsa4096 => KeypairData::from(RsaKeypair::random(&mut OsRng, RSA_BITS).map_err(failed)?),
    };
    let key = PrivateKey::new(data, comment).map_err(failed)?;
    material(&key)
}

/// Reads a pasted private key: OpenSSH format (encrypted or not), or RSA in PEM PKCS#1 or
/// PKCS#8. `name` becomes the comment of keys that carry none.
pub fn import(text: &str, passphrase: Option<&str>, name: &str) -> Result<Material, SshKeyError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(SshKeyError::TooLarge { bytes: text.len() });
    }
    // Pasted from Windows or a web form: CRLF line ends and stray blank space around.
    let text = Zeroizing::new(text.trim().replace("\r\n", "\n"));
    let mut key = match Format::of(&text)? {
        Format::OpenSsh => openssh(&text, passphrase)?,
        Format::Pkcs1 => {
            let rsa = rsa::RsaPrivateKey::from_pkcs1_pem(&text).map_err(|e| not_readable("PKCS#1 RSA", &e))?;
            from_rsa(&rsa)?
        }
        Format::Pkcs8 => pkcs8(&text)?,
    };
    if key.comment().is_empty() {
        key.set_comment(name);
    }
    material(&key)
}

/// What a pasted text claims to be, by its armour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    OpenSsh,
    Pkcs1,
    Pkcs8,
}

impl Format {
    fn of(text: &str) -> Result<Self, SshKeyError> {
        let begins = |label: &str| text.starts_with(&format!("-----BEGIN {label}-----"));
        if begins("OPENSSH PRIVATE KEY") {
            return Ok(Format::OpenSsh);
        }
        if begins("RSA PRIVATE KEY") {
            // Traditional PEM encryption (DEK-Info, MD5 key derivation): nothing current
            // reads it, and ssh-keygen rewrites it as OpenSSH at once.
            if text.contains("Proc-Type: 4,ENCRYPTED") {
                return Err(SshKeyError::ConvertFirst("this is an encrypted PEM (legacy) private key".into()));
            }
            return Ok(Format::Pkcs1);
        }
        if begins("PRIVATE KEY") {
            return Ok(Format::Pkcs8);
        }
        if begins("ENCRYPTED PRIVATE KEY") {
            return Err(SshKeyError::ConvertFirst("this is an encrypted PKCS#8 private key".into()));
        }
        if begins("EC PRIVATE KEY") {
            return Err(SshKeyError::UnsupportedAlgorithm("ecdsa".into()));
        }
        if begins("DSA PRIVATE KEY") {
            return Err(SshKeyError::UnsupportedAlgorithm("ssh-dss".into()));
        }
        Err(SshKeyError::Invalid(what_instead(text)))
    }
}

/// Why a text that is no private key we read was refused.
fn what_instead(text: &str) -> String {
    let first = text.split_whitespace().next().unwrap_or("");
    let public_prefixes = ["ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-"];
    if public_prefixes.iter().any(|p| first.starts_with(p)) || text.contains("PUBLIC KEY-----") {
        return "this is a public key: paste the private key (the file without .pub)".into();
    }
    if text.starts_with("PuTTY-User-Key-File") {
        return "this is a PuTTY key: export it in OpenSSH format first (PuTTYgen: Conversions, Export OpenSSH key)"
            .into();
    }
    "this is not a private key: paste an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----) or an RSA key in PEM"
        .into()
}

fn not_readable(format: &str, e: &dyn std::fmt::Display) -> SshKeyError {
    SshKeyError::Invalid(format!("the {format} private key does not read: {e}"))
}

fn openssh(text: &str, passphrase: Option<&str>) -> Result<PrivateKey, SshKeyError> {
    let key = PrivateKey::from_openssh(text).map_err(|e| not_readable("OpenSSH", &e))?;
    // The public half is in the clear even in an encrypted file: refuse other algorithms
    // before spending a passphrase on them.
    let algorithm = key.public_key().algorithm();
    if !matches!(algorithm, Algorithm::Ed25519 | Algorithm::Rsa { .. }) {
        return Err(SshKeyError::UnsupportedAlgorithm(algorithm.as_str().to_string()));
    }
    if !key.is_encrypted() {
        return Ok(key);
    }
    let passphrase = passphrase.filter(|p| !p.is_empty()).ok_or(SshKeyError::PassphraseRequired)?;
    key.decrypt(passphrase).map_err(|e| match e {
        // A wrong passphrase decrypts to noise: the check integers or the key inside
        // then do not match (or, for AES-GCM, the tag fails).
        ssh_key::Error::Crypto
        | ssh_key::Error::PublicKey
        | ssh_key::Error::FormatEncoding
        | ssh_key::Error::Encoding(_) => SshKeyError::BadPassphrase,
        other => SshKeyError::Invalid(format!("the OpenSSH private key does not decrypt: {other}")),
    })
}

/// RSA in PKCS#8; other algorithms are named by their object identifier.
fn pkcs8(text: &str) -> Result<PrivateKey, SshKeyError> {
    let (_, doc) = rsa::pkcs8::SecretDocument::from_pem(text).map_err(|e| not_readable("PKCS#8", &e))?;
    let info = rsa::pkcs8::PrivateKeyInfo::from_der(doc.as_bytes()).map_err(|e| not_readable("PKCS#8", &e))?;
    let oid = info.algorithm.oid;
    if oid != rsa::pkcs1::ALGORITHM_OID {
        let name = match oid.to_string().as_str() {
            "1.3.101.112" => "ed25519 in PKCS#8 (import it in OpenSSH format)".to_string(),
            "1.2.840.10045.2.1" => "ecdsa".to_string(),
            "1.2.840.10040.4.1" => "ssh-dss".to_string(),
            other => format!("with object identifier {other}"),
        };
        return Err(SshKeyError::UnsupportedAlgorithm(name));
    }
    let rsa = rsa::RsaPrivateKey::try_from(info).map_err(|e| not_readable("PKCS#8 RSA", &e))?;
    from_rsa(&rsa)
}

/// An RSA key from PEM, as an OpenSSH key (without a comment: PEM has none).
fn from_rsa(rsa: &rsa::RsaPrivateKey) -> Result<PrivateKey, SshKeyError> {
    let pair = RsaKeypair::try_from(rsa).map_err(|e| not_readable("RSA", &e))?;
    PrivateKey::new(KeypairData::from(pair), "").map_err(|e| not_readable("RSA", &e))
}

/// The public facts and the unencrypted OpenSSH PEM of a key of a supported type.
fn material(key: &PrivateKey) -> Result<Material, SshKeyError> {
    let (key_type, bits) = match key.key_data() {
        KeypairData::Ed25519(_) => (KeyType::Ed25519, None),
        KeypairData::Rsa(pair) => (KeyType::Rsa, Some(rsa_bits(pair)?)),
        _ => return Err(SshKeyError::UnsupportedAlgorithm(key.algorithm().as_str().to_string())),
    };
    let encode = |e: ssh_key::Error| SshKeyError::Invalid(format!("the key does not encode: {e}"));
    let public = key.public_key();
    Ok(Material {
        key_type,
        bits,
        fingerprint: public.fingerprint(HashAlg::Sha256).to_string(),
        public_key: public.to_openssh().map_err(encode)?,
        comment: public.comment().to_string(),
        private_pem: key.to_openssh(LineEnding::LF).map_err(encode)?,
    })
}

/// The modulus size of an RSA key, once the key proves consistent (primes multiply to the
/// modulus, exponents and CRT coefficient agree): a broken key should fail here, not at the
/// first poll.
fn rsa_bits(pair: &RsaKeypair) -> Result<u32, SshKeyError> {
    let rsa = to_rsa(pair)?;
    let bits = rsa.n().bits();
    if bits < RSA_MIN_BITS {
        return Err(SshKeyError::TooWeak { bits });
    }
    // At most 16 KiB of PEM: far below u32::MAX bits.
    Ok(u32::try_from(bits).unwrap_or(u32::MAX))
}

/// ssh-key 0.6.7's own `TryFrom<&RsaKeypair> for rsa::RsaPrivateKey` passes `p` twice
/// where `p, q` belong, so every key fails its check: the components are taken here.
fn to_rsa(pair: &RsaKeypair) -> Result<rsa::RsaPrivateKey, SshKeyError> {
    let broken = |e: &dyn std::fmt::Display| not_readable("RSA", e);
    let big = |m: &ssh_key::Mpint| rsa::BigUint::try_from(m).map_err(|e| broken(&e));
    let (n, e, d) = (big(&pair.public.n)?, big(&pair.public.e)?, big(&pair.private.d)?);
    let primes = vec![big(&pair.private.p)?, big(&pair.private.q)?];
    let rsa = rsa::RsaPrivateKey::from_components(n, e, d, primes).map_err(|e| broken(&e))?;
    if rsa.crt_coefficient() != Some(big(&pair.private.iqmp)?) {
        return Err(broken(&"its CRT coefficient does not fit its primes"));
    }
    Ok(rsa)
}

#[cfg(test)]
mod tests;
