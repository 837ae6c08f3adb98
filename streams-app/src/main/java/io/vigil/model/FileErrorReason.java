package io.vigil.model;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * Why a file could not be read or written, in the words of the system's own message ("permission denied"), for a
 * message that names the file itself. java.nio's exceptions say it badly for that: their message is the bare path
 * when the class is the reason ({@link AccessDeniedException}, {@link NoSuchFileException}), and the class's name is
 * no reason a user can act on.
 */
public final class FileErrorReason {

    private FileErrorReason() {
    }

    /** The reason, lower case, without the file's name: "no such file or directory", "is a directory". */
    public static String of(final IOException e) {
        // Their reason, when they have one, is most often null: the class says it.
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "file exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileSystemException f) {
            // The system's error text ("Not a directory", "Read-only file system"); the message would repeat the path.
            return f.getReason() != null ? lowerFirst(f.getReason()) : e.getClass().getSimpleName();
        }
        // A plain IOException of a read or write carries the system's text as its message ("No space left on device").
        return e.getMessage() != null && !e.getMessage().isBlank() ? lowerFirst(e.getMessage().lines().findFirst()
                .orElse("")) : e.getClass().getSimpleName();
    }

    /** "Is a directory" as "is a directory"; "EOF ..." or "I/O error" as they are. */
    private static String lowerFirst(final String text) {
        if (text.length() > 1 && Character.isUpperCase(text.charAt(0)) && Character.isLowerCase(text.charAt(1))) {
            return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
        }
        return text;
    }
}
