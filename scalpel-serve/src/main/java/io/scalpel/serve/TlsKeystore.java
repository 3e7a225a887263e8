package io.scalpel.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;

/**
 * The PKCS#12 keystore {@code scalpel serve} answers TLS with ({@code --tls-keystore}), opened with
 * the password of {@code --tls-password-file} (its first line) as the server starts: a keystore that
 * cannot be read, that the password does not open, or that holds no private key with its
 * certificate is refused in one line that says which, before anything listens.
 *
 * @param path     the keystore file
 * @param keyStore the keystore, open
 * @param password its password (and its key's)
 */
public record TlsKeystore(Path path, KeyStore keyStore, String password) {

    /**
     * Opens {@code keystore} with the first line of {@code passwordFile}.
     *
     * @param keystore     a PKCS#12 file
     * @param passwordFile a file whose first line is its password
     * @return the keystore, open
     * @throws IllegalArgumentException saying what is wrong with either file
     */
    public static TlsKeystore open(final Path keystore, final Path passwordFile) {
        final String password;
        try {
            password = Files.readString(passwordFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
        } catch (IOException e) {
            throw new IllegalArgumentException("--tls-password-file " + passwordFile + ": cannot be read (" + e.getMessage() + ")", e);
        }
        final KeyStore ks;
        try (InputStream in = Files.newInputStream(keystore)) {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("--tls-keystore " + keystore + ": no such file", e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalArgumentException("--tls-keystore " + keystore + ": the password of --tls-password-file "
                    + passwordFile + " does not open it", e);
            }
            throw new IllegalArgumentException("--tls-keystore " + keystore + ": not a PKCS#12 keystore, or cut short"
                + (e.getMessage() != null ? " (" + e.getMessage() + ")" : ""), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-keystore " + keystore + ": cannot be opened (" + e.getMessage() + ")", e);
        }
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias) && ks.getCertificate(alias) != null) {
                    ks.getKey(alias, password.toCharArray()); // a key the keystore's password does not open is refused here
                    return new TlsKeystore(keystore, ks, password);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-keystore " + keystore + ": its private key does not open with the password of"
                + " --tls-password-file " + passwordFile + " (" + e.getMessage() + ")", e);
        }
        throw new IllegalArgumentException("--tls-keystore " + keystore + ": holds no private key with its certificate"
            + " (e.g. keytool -genkeypair -storetype PKCS12, or openssl pkcs12 -export)");
    }
}
