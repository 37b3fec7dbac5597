namespace Edge.ApiServer.Tables;

/// <summary>
/// Column definitions shared by many printers. Descriptions of metadata columns are the
/// ObjectMeta API docs upstream uses; kubectl does not print descriptions, so the rest are
/// the upstream texts where they are literal and a shortened API doc where upstream quotes one.
/// </summary>
static class Columns
{
    public const string NameDoc =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    public const string CreationTimestampDoc =
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    public static readonly TableColumn Name = new("Name", "string", NameDoc, Format: "name");

    public static readonly TableColumn Age = new("Age", "string", CreationTimestampDoc);

    public static readonly TableColumn Containers = new("Containers", "string", "Names of each container in the template.", Priority: 1);

    public static readonly TableColumn Images = new("Images", "string", "Images referenced by each container in the template.", Priority: 1);

    public static TableColumn Selector(string doc) => new("Selector", "string", doc, Priority: 1);

    public static TableColumn Text(string name, string doc, int priority = 0) => new(name, "string", doc, priority);

    public static TableColumn Integer(string name, string doc) => new(name, "integer", doc);
}
