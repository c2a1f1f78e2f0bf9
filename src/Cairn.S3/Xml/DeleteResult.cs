namespace Cairn.S3.Xml;

/// <summary>Input of <see cref="DeleteResultWriter"/>. In quiet mode the caller passes no <see cref="Deleted"/> entries.</summary>
public sealed record DeleteResult(IReadOnlyList<DeletedObject> Deleted, IReadOnlyList<DeleteError> Errors);
