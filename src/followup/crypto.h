// Passwords and tokens (libsodium): Argon2id password hashes in the self-describing
// crypto_pwhash_str format, tokens of 32 random bytes, stored as their SHA-256.
#ifndef VSV_FOLLOWUP_CRYPTO_H_
#define VSV_FOLLOWUP_CRYPTO_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace vsv::followup {

// Initialises libsodium (idempotent, thread-safe); false when it cannot.
bool InitCrypto();

// "$argon2id$v=19$m=...,t=...,p=1$salt$hash".
Result<std::string> HashPassword(std::string_view password, unsigned long long opslimit, size_t memlimit);
// Whether `password` matches `hash` (constant time in the password).
bool VerifyPassword(const std::string& hash, std::string_view password);

// 64 hex characters from the operating system's CSPRNG.
std::string RandomToken();
// Hex SHA-256 of `token`: what the database stores of a session token.
std::string TokenHash(std::string_view token);
// Constant-time comparison of two strings (CSRF tokens).
bool SameSecret(std::string_view a, std::string_view b);

}  // namespace vsv::followup

#endif  // VSV_FOLLOWUP_CRYPTO_H_
