package org.bootferry.image;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Path arithmetic inside an image's root filesystem: absolute, '/'-separated, never reaching the
 * host. Tar entry names come relative ({@code ./boot/vmlinuz}, {@code boot/}); wanted paths and link
 * targets are compared in one form, and ".." at the root stays at the root, as under chroot.
 */
final class ImagePaths {

    private ImagePaths() {
    }

    /** "/a/b" for "a/b", "./a/b/", "/a//b"; "." and ".." are resolved later, inside the image. */
    static String normalize(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            sb.append('/').append(part);
        }
        return sb.length() == 0 ? "/" : normalizeDots(sb.toString());
    }

    /** Resolves ".." lexically, never above the root. */
    static String normalizeDots(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String child(String dir, String name) {
        return normalizeDots(dir.equals("/") ? "/" + name : dir + "/" + name);
    }
}
