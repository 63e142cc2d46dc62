namespace Scm.Client.Internal;

/// <summary>Thrown inside the client when a body passes its size cap; mapped to <see cref="ScmProtocolException"/>.</summary>
internal sealed class ResponseTooLargeException(long limit) : IOException("The response body exceeded " + limit + " bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>A read-only stream that fails as soon as more than <c>limit</c> bytes were read, so nothing past the cap is buffered.</summary>
internal sealed class LimitedReadStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(Clip(buffer.Length) is var c && c < buffer.Length ? buffer[..c] : buffer);
        return Count(n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var c = Clip(buffer.Length);
        var n = await inner.ReadAsync(c < buffer.Length ? buffer[..c] : buffer, cancellationToken).ConfigureAwait(false);
        return Count(n);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    // Ask for at most one byte past the limit: enough to detect an overrun without reading further.
    private int Clip(int requested) => (int)Math.Max(1, Math.Min(requested, limit + 1 - _read));

    private int Count(int n)
    {
        _read += n;
        if (_read > limit)
        {
            throw new ResponseTooLargeException(limit);
        }

        return n;
    }
}
