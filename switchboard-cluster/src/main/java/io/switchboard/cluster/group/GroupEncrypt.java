package io.switchboard.cluster.group;

import java.security.Key;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.EncryptHeader;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.util.Util;

/**
 * JGroups' {@link SYM_ENCRYPT} with AES-GCM, so that every message is authenticated as well as
 * encrypted: a message not made with the group key fails its tag and is dropped. {@code SYM_ENCRYPT}
 * initialises its ciphers with an {@code IvParameterSpec}, which GCM refuses, so the two methods
 * that run the cipher are replaced; the key check, version header and batch handling stay JGroups'.
 * It sits right above the transport with {@code SERIALIZE} above it, so whole messages (headers,
 * discovery, heartbeats) are sealed; a message without payload cannot occur then and is dropped.
 *
 * <p>Threading: called by JGroups from many threads at once; holds no mutable state of its own (a
 * fresh {@link Cipher} per message, cheap next to the network).
 */
final class GroupEncrypt extends SYM_ENCRYPT {
    /** JGroups keys headers by protocol id; custom protocols take ids from 512 up, the same on every member. */
    private static final short PROTOCOL_ID = 1717;
    static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    static {
        ClassConfigurator.addProtocol(PROTOCOL_ID, GroupEncrypt.class);
    }

    GroupEncrypt(SecretKey key) {
        symAlgorithm(TRANSFORMATION);
        symIvLength(IV_BYTES);
        symKeylength(key.getEncoded().length * 8);
        setSecretKey(key);
    }

    @Override
    protected byte[] code(byte[] buf, int offset, int length, byte[] iv, boolean decode) throws Exception {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(decode ? Cipher.DECRYPT_MODE : Cipher.ENCRYPT_MODE, secret_key, new GCMParameterSpec(TAG_BITS, iv));
        return cipher.doFinal(buf, offset, length);
    }

    @Override
    protected Message _decrypt(Cipher pooled, Key key, Message msg, EncryptHeader hdr) throws Exception {
        if (!msg.hasPayload() || hdr.iv() == null) {
            return null;
        }
        byte[] plain = code(msg.getArray(), msg.getOffset(), msg.getLength(), hdr.iv(), true);
        if (hdr.needsDeserialization()) {
            return Util.messageFromBuffer(plain, 0, plain.length);
        }
        return msg.setArray(plain, 0, plain.length);
    }
}
