/* Hashes a fixed password with Argon2id through libargon2 and checks the hash verifies: the library is loaded
 * and used when the program runs, not only when it is built. */
#include <argon2.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  const char *password = "correct horse battery staple";
  const char *salt = "lean-image-salt";
  char encoded[128];
  int rc = argon2id_hash_encoded(2, 1 << 12, 1, password, strlen(password), salt, strlen(salt), 16, encoded, sizeof encoded);
  if (rc != ARGON2_OK) {
    fprintf(stderr, "hashpw: %s\n", argon2_error_message(rc));
    return 1;
  }
  int verified = argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
  printf("hashpw %s %s\n", verified ? "ok" : "FAILED", encoded);
  return verified ? 0 : 1;
}
