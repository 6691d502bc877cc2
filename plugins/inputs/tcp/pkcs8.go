package tcp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
)

// Object identifiers of encrypted PKCS#8 (RFC 8018).
var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
)

// pbkdf2PRF returns the hash of a PBKDF2 PRF identifier (HMAC-SHA1 when
// absent, as RFC 8018 says).
func pbkdf2PRF(oid asn1.ObjectIdentifier) func() hash.Hash {
	switch {
	case len(oid) == 0 || oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}):
		return sha1.New
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}):
		return sha256.New224
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}):
		return sha256.New
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}):
		return sha512.New384
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}):
		return sha512.New
	}
	return nil
}

// pbes2Cipher returns the block cipher and key length of a PBES2
// encryption scheme identifier.
func pbes2Cipher(oid asn1.ObjectIdentifier) (func([]byte) (cipher.Block, error), int) {
	aesOID := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1}
	switch {
	case oid.Equal(append(aesOID[:len(aesOID):len(aesOID)], 2)):
		return aes.NewCipher, 16
	case oid.Equal(append(aesOID[:len(aesOID):len(aesOID)], 22)):
		return aes.NewCipher, 24
	case oid.Equal(append(aesOID[:len(aesOID):len(aesOID)], 42)):
		return aes.NewCipher, 32
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}):
		return des.NewTripleDESCipher, 24
	}
	return nil, 0
}

type encryptedPrivateKeyInfo struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

type pbes2Params struct {
	KDF pkix.AlgorithmIdentifier
	Enc pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt   []byte
	Iter   int
	KeyLen int                      `asn1:"optional"`
	PRF    pkix.AlgorithmIdentifier `asn1:"optional"`
}

// errDecrypt is returned for a wrong passphrase (or a corrupt key).
var errDecrypt = errors.New("cannot decrypt the key (wrong ssl_key_passphrase?)")

// decryptPKCS8 decrypts an encrypted PKCS#8 key (PBES2 with PBKDF2 and
// AES-CBC or 3DES-CBC, what OpenSSL writes) into plain PKCS#8 DER.
func decryptPKCS8(der, passphrase []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, fmt.Errorf("bad encrypted PKCS#8 key: %w", err)
	}
	if !info.Algo.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("encrypted PKCS#8 key: unsupported scheme %v (only PBES2 is supported)", info.Algo.Algorithm)
	}
	var p pbes2Params
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &p); err != nil {
		return nil, fmt.Errorf("bad PBES2 parameters: %w", err)
	}
	if !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("encrypted PKCS#8 key: unsupported key derivation %v (only PBKDF2 is supported)", p.KDF.Algorithm)
	}
	var kp pbkdf2Params
	if _, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &kp); err != nil {
		return nil, fmt.Errorf("bad PBKDF2 parameters: %w", err)
	}
	prf := pbkdf2PRF(kp.PRF.Algorithm)
	if prf == nil {
		return nil, fmt.Errorf("encrypted PKCS#8 key: unsupported PBKDF2 hash %v", kp.PRF.Algorithm)
	}
	newBlock, keyLen := pbes2Cipher(p.Enc.Algorithm)
	if newBlock == nil {
		return nil, fmt.Errorf("encrypted PKCS#8 key: unsupported cipher %v", p.Enc.Algorithm)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(p.Enc.Parameters.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("bad cipher parameters: %w", err)
	}
	if kp.Iter < 1 || kp.Iter > 10_000_000 {
		return nil, fmt.Errorf("encrypted PKCS#8 key: unreasonable PBKDF2 iteration count %d", kp.Iter)
	}
	key, err := pbkdf2.Key(prf, string(passphrase), kp.Salt, kp.Iter, keyLen)
	if err != nil {
		return nil, fmt.Errorf("PBKDF2: %w", err)
	}
	block, err := newBlock(key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	bs := block.BlockSize()
	if len(iv) != bs || len(info.Data) == 0 || len(info.Data)%bs != 0 {
		return nil, errDecrypt
	}
	out := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, info.Data)
	pad := int(out[len(out)-1])
	if pad < 1 || pad > bs {
		return nil, errDecrypt
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, errDecrypt
		}
	}
	return out[:len(out)-pad], nil
}
