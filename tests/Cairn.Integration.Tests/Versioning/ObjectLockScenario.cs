namespace Cairn.Integration.Tests.Versioning;

/// <summary>How a model run's bucket gets Object Lock, if at all.</summary>
internal enum ObjectLockScenario
{
    /// <summary>No lock operations at all (the plain versioning runs).</summary>
    None,

    /// <summary>The bucket is created with x-amz-bucket-object-lock-enabled: true (so versioning is Enabled from the start).</summary>
    AtCreation,

    /// <summary>
    /// A plain bucket: lock operations are refused (400 InvalidRequest, PutObjectLockConfiguration 409 while versioning
    /// is not Enabled) until a PutObjectLockConfiguration on the Enabled bucket turns lock on.
    /// </summary>
    Later,
}
