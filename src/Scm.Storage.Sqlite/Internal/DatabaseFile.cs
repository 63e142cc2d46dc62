using System.Buffers.Binary;
using System.Globalization;

namespace Scm.Storage.Sqlite.Internal;

/// <summary>
/// Checks made on the database file with plain file I/O before SQLite opens it, so a file the store must not use is
/// reported with a typed error and never written: not an SQLite file, truncated, or not writable (file or folder).
/// </summary>
internal static class DatabaseFile
{
    private const int HeaderLength = 100;
    private static readonly byte[] Magic = "SQLite format 3\0"u8.ToArray();

    /// <summary>Inspects the file; returns whether it holds a database (false: missing or empty, a new store).</summary>
    public static bool Inspect(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ScmStoreException(StoreErrorKind.Configuration, $"The folder of the database {path} cannot be created: {ex.Message}", ex);
            }
        }

        var exists = File.Exists(path);
        if (exists)
        {
            CheckHeader(path);
        }
        else if (Directory.Exists(path))
        {
            throw new ScmStoreException(StoreErrorKind.Configuration, $"The database path {path} is a folder, not a file.");
        }

        CheckFolderWritable(path, directory);
        return exists && new FileInfo(path).Length > 0;
    }

    private static void CheckHeader(string path)
    {
        var header = new byte[HeaderLength];
        long length;
        int read;
        try
        {
            // Opening for writing proves the file is writable; nothing is written.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            length = stream.Length;
            read = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ScmStoreException(StoreErrorKind.ReadOnly, $"The database {path} is read-only (or not accessible to this process); the store needs to write it.", ex);
        }
        catch (IOException ex)
        {
            throw new ScmStoreException(StoreErrorKind.Unavailable, $"The database {path} cannot be opened: {ex.Message}", ex);
        }

        if (length == 0)
        {
            return; // An empty file is an empty SQLite database: the schema is created in it.
        }

        if (read < HeaderLength || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ScmStoreException(StoreErrorKind.Corrupt, $"{path} is not an SQLite database (its header is missing or damaged); it was not modified.");
        }

        // Page size at offset 16 (1 means 65536); page count at 28, valid when the change counter (24) equals offset 92.
        // A non-empty -wal file may hold pages not yet copied back: SQLite then checks the size itself, from the WAL.
        var pageSize = (int)BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16));
        pageSize = pageSize == 1 ? 65536 : pageSize;
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
        {
            throw new ScmStoreException(StoreErrorKind.Corrupt, $"{path} has a damaged SQLite header (page size {pageSize}); it was not modified.");
        }

        var pageCount = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(28));
        var countValid = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(24)) == BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(92));
        var wal = new FileInfo(path + "-wal");
        if (countValid && pageCount > 0 && length < (long)pageCount * pageSize && !(wal.Exists && wal.Length > 0))
        {
            throw new ScmStoreException(
                StoreErrorKind.Corrupt,
                string.Create(CultureInfo.InvariantCulture, $"{path} is truncated: its header counts {pageCount} pages of {pageSize} bytes but the file holds {length} bytes; it was not modified. Restore it from a backup."));
        }
    }

    private static void CheckFolderWritable(string path, string directory)
    {
        // SQLite creates the -wal and -shm files beside the database: the folder must be writable too.
        var probe = Path.Combine(directory, "." + Path.GetFileName(path) + ".probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new ScmStoreException(StoreErrorKind.ReadOnly, $"The folder of the database {path} is read-only; SQLite must create its journal files (-wal, -shm) there.", ex);
        }
    }
}
