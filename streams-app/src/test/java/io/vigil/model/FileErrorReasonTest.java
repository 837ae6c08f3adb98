package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message made from java.nio's exceptions said "cannot write ro/x.jsonl: AccessDeniedException", or repeated the
 * bare path: the reason is said as the system says it.
 */
class FileErrorReasonTest {

    @TempDir
    Path dir;

    @Test
    void theExceptionsWhoseClassIsTheReasonAreSaidInWords() {
        assertThat(FileErrorReason.of(new AccessDeniedException("ro/x.jsonl"))).isEqualTo("permission denied");
        assertThat(FileErrorReason.of(new NoSuchFileException("x.jsonl"))).isEqualTo("no such file or directory");
        assertThat(FileErrorReason.of(new FileAlreadyExistsException("x.jsonl"))).isEqualTo("file exists");
        assertThat(FileErrorReason.of(new NotDirectoryException("x"))).isEqualTo("not a directory");
    }

    @Test
    void otherwiseTheSystemsReasonWithoutThePath() {
        assertThat(FileErrorReason.of(new FileSystemException("x.jsonl", null, "Read-only file system")))
                .isEqualTo("read-only file system");
        assertThat(FileErrorReason.of(new IOException("No space left on device"))).isEqualTo("no space left on device");
        assertThat(FileErrorReason.of(new IOException("I/O error"))).isEqualTo("I/O error");
        assertThat(FileErrorReason.of(new FileSystemException("x.jsonl"))).isEqualTo("FileSystemException");
        assertThat(FileErrorReason.of(new IOException())).isEqualTo("IOException");
    }

    @Test
    void aFileUnderAFileIsNotADirectory() throws IOException {
        final Path file = Files.writeString(dir.resolve("events.jsonl"), "");
        final IOException e = catchThrowableOfType(() -> Files.newOutputStream(file.resolve("x.jsonl")),
                IOException.class);
        assertThat(FileErrorReason.of(e)).isEqualTo("not a directory");
    }
}
