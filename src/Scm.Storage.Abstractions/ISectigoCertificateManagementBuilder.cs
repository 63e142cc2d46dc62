namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>AddSectigoCertificateManagement</c> to configure storage, deployment and scheduling.
/// It is defined here, beside the storage contracts, so that store packages can add their
/// <c>Use...Storage</c> methods without referencing the engine.
/// </summary>
public interface ISectigoCertificateManagementBuilder
{
    /// <summary>The service collection being configured.</summary>
    IServiceCollection Services { get; }
}
