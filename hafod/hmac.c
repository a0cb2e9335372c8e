/*
 * Copyright (c) 2026 The hafod authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */


/*
 * An HMAC context of libcrypto, for CARP's SHA-1 (carp.c) and the
 * bundle's SHA-256 (bundle.c): each keeps one for the process, made
 * before the sandbox and keyed anew per message, since the one-shot
 * HMAC(3) looks the algorithms up by name and allocates every time.
 */

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "hafod.h"
#include "log.h"

EVP_MAC_CTX *
hmac_new(const char *digest)
{
	EVP_MAC_CTX	*ctx;
	EVP_MAC		*mac;
	OSSL_PARAM	 params[2];

	/*
	 * No configuration file (there is none in the chroot) and no
	 * error strings: loading them all kept about 650 kB more of the
	 * engine resident, for messages it never prints.
	 */
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
	    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS |
	    OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	    OPENSSL_INIT_NO_ADD_ALL_DIGESTS | OPENSSL_INIT_NO_ATEXIT, NULL))
		fatalx("%s: libcrypto failed to start", __func__);
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		fatalx("%s: libcrypto has no HMAC", __func__);
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (ctx == NULL)
		fatalx("%s: EVP_MAC_CTX_new failed", __func__);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(ctx, params))
		fatalx("%s: libcrypto has no HMAC-%s", __func__, digest);
	return (ctx);
}
