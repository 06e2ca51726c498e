/* wolfSSL for nbdbox (scripts/wolfssl-musl.sh builds it with these): what
 * an NBD client needs and nothing else. Client only; TLS 1.2 and 1.3;
 * AES-GCM (4-bit tables: the small GCM made the relay time out under
 * emulation) and ChaCha20-Poly1305, the ciphers kTLS takes; ECDHE with
 * X25519 and P-256 (P-384 for certificates); RSA (PKCS#1 v1.5, PSS) and
 * ECDSA certificates; PSK; SNI; the key getters the kTLS hand-off reads
 * (ATOMIC_USER). No OpenSSL compatibility layer: core/tls/session.c verifies IP
 * SANs itself. Used for the library and for nbdbox alike (installed as
 * wolfssl/options.h), so both see the same structures. */
#ifndef NBDBOX_WOLFSSL_SETTINGS_H
#define NBDBOX_WOLFSSL_SETTINGS_H

#ifndef WOLFSSL_USER_SETTINGS
#define WOLFSSL_USER_SETTINGS
#endif

/* configure's AC_C_BIGENDIAN defines this; without configure, gcc's
 * byte order says it (s390x, ppc64, mips). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define WORDS_BIGENDIAN
#endif

/* ---- the role and the protocol */
#define NO_WOLFSSL_SERVER
#define WOLFSSL_TLS13
#define NO_OLD_TLS
#define HAVE_TLS_EXTENSIONS
#define HAVE_SUPPORTED_CURVES
#define HAVE_EXTENDED_MASTER
#define HAVE_SNI
#define HAVE_HKDF
#define WC_RSA_PSS
#define ATOMIC_USER            /* wolfSSL_GetClientWriteKey/IV, ... */
#define KEEP_PEER_CERT         /* the leaf's DER for the IP SAN check */
#define WOLFSSL_SYS_CA_CERTS   /* wolfSSL_CTX_load_system_CA_certs */
#define WOLFSSL_USER_IO        /* nbdbox brings its own recv/send */
#include <sys/time.h>       /* tls13.c's clock; USER_IO leaves it out */
#define SINGLE_THREADED

#define NO_WRITEV
#define NO_SESSION_CACHE
#define NO_MAIN_DRIVER
/* No error-string tables (~15 KB): core/tls/session.c names the errors a user
 * meets itself. wolfSSL_get_cipher_name() then gives wolfSSL's names
 * (TLS13-AES128-GCM-SHA256), not IANA's. */
#define NO_ERROR_STRINGS

/* ---- ciphers: AEAD only */
#define HAVE_AESGCM
#define GCM_TABLE_4BIT
#define WOLFSSL_AES_128
#define WOLFSSL_AES_256
#define NO_AES_192
#define NO_AES_CBC
#define NO_AES_DECRYPT         /* GCM only runs AES forwards (Td: 4 KB) */
#define HAVE_AESGCM_DECRYPT    /* ... but GCM must still open records */
#define HAVE_CHACHA
#define HAVE_POLY1305
#define WOLFSSL_AEAD_ONLY

/* ---- key exchange and certificates */
#define HAVE_CURVE25519
#define CURVE25519_SMALL       /* one X25519 per handshake: size over speed */
#define HAVE_ECC
#define ECC_USER_CURVES
#define HAVE_ECC256
#define HAVE_ECC384
#define ECC_TIMING_RESISTANT
#define TFM_TIMING_RESISTANT
#define WC_RSA_BLINDING
#define WC_NO_RSA_OAEP         /* TLS signs with PKCS#1 v1.5 and PSS */
#define WOLFSSL_SP_MATH_ALL
#define WOLFSSL_SP_SMALL
#define WOLFSSL_ASN_TEMPLATE   /* the table-driven DER code: smaller */
#define SP_INT_BITS 4096
#define WOLFSSL_SHA384
#define WOLFSSL_SHA512         /* the code SHA-384 is made of */
#define WOLFSSL_NOSHA512_224
#define WOLFSSL_NOSHA512_256
#define WOLFSSL_NO_HASH_RAW
/* Rolled SHA loops (~8 KB less): the hashes run in the handshake only,
 * the records are AEAD. */
#define USE_SLOW_SHA
#define USE_SLOW_SHA256
#define USE_SLOW_SHA512
#define WOLFSSL_BASE64_ENCODE
#define NO_DH
#define NO_DSA
#define NO_MD4
#define NO_MD5
#define NO_RC4
#define NO_DES3
#define NO_PWDBASED
#define NO_OLD_RNGNAME
#define WOLFSSL_NO_SHAKE256
#define WC_NO_ASYNC_THREADING
#define HAVE_HASHDRBG

#endif
