namespace Scm.Testing.Internal;

/// <summary>An SCM error answer: HTTP status plus the <c>{code, description}</c> body.</summary>
internal sealed class ScmApiException : Exception
{
    public ScmApiException(int httpStatus, int code, string description)
        : base(description)
    {
        HttpStatus = httpStatus;
        Code = code;
        Description = description;
    }

    public ScmApiException()
        : this(400, -1, "Unknown error")
    {
    }

    public ScmApiException(string message)
        : this(400, -1, message)
    {
    }

    public ScmApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        HttpStatus = 400;
        Code = -1;
        Description = message;
    }

    public int HttpStatus { get; }

    public int Code { get; }

    public string Description { get; }

    public static ScmApiException BadRequest(int code, string description) => new(400, code, description);

    public static ScmApiException ParseError() => new(400, -1002, "Cannot parse message body");

    public static ScmApiException Missing(string field) => new(400, -7, $"{field} is required but missing");

    public static ScmApiException InvalidField(string field) => new(400, -1601, $"Field '{field}' has invalid value");

    public static ScmApiException SslNotFound(long id) => new(404, -124, $"Wrong SSL certificate id {id}.");
}
