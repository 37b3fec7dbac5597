using System.Text.Json.Nodes;
using Edge.Api.Selectors;
using static Edge.ApiServer.Tables.JsonRead;

namespace Edge.ApiServer.Tables.Printers;

/// <summary>
/// apps and batch workloads, as upstream <c>printDeployment</c>, <c>printReplicaSet</c>,
/// <c>printDaemonSet</c>, <c>printStatefulSet</c>, <c>printJob</c>, <c>printCronJob</c>,
/// <c>printControllerRevision</c>. Unset replica counts read as the API default (1).
/// </summary>
static class WorkloadPrinters
{
    public static readonly TablePrinter Deployment = new(
    [
        Columns.Name,
        Columns.Text("Ready", "Number of the pod with ready state"),
        Columns.Text("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        Columns.Text("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ], (d, now) =>
    {
        var (names, images) = PodTemplates.ContainerCells(At(d, "spec", "template", "spec"));
        // Deployment prints LabelSelectorAsSelector(...).String() itself: empty, not <none>.
        string selector;
        try
        {
            selector = LabelSelector.FromObject(At(d, "spec", "selector") as JsonObject).ToString();
        }
        catch (SelectorException)
        {
            selector = "<invalid>";
        }
        return
        [
            Name(d),
            $"{Int(d, "status", "readyReplicas")}/{Replicas(d)}",
            Int(d, "status", "updatedReplicas"),
            Int(d, "status", "availableReplicas"),
            Age(d, now),
            names,
            images,
            selector,
        ];
    });

    public static readonly TablePrinter ReplicaSet = new(
    [
        Columns.Name,
        Columns.Integer("Desired", "Replicas is the number of desired pods."),
        Columns.Integer("Current", "Replicas is the most recently observed number of non-terminating pods."),
        Columns.Integer("Ready", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("Selector is a label query over pods that should match the replica count."),
    ], (rs, now) =>
    {
        var (names, images) = PodTemplates.ContainerCells(At(rs, "spec", "template", "spec"));
        return
        [
            Name(rs),
            Replicas(rs),
            Int(rs, "status", "replicas"),
            Int(rs, "status", "readyReplicas"),
            Age(rs, now),
            names,
            images,
            LabelSelector.Format(At(rs, "spec", "selector") as JsonObject),
        ];
    });

    public static readonly TablePrinter DaemonSet = new(
    [
        Columns.Name,
        Columns.Integer("Desired", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod)."),
        Columns.Integer("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
        Columns.Integer("Ready", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
        Columns.Integer("Up-to-date", "The total number of nodes that are running updated daemon pod"),
        Columns.Integer("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
        Columns.Text("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("A label query over pods that are managed by the daemon set. Must match in order to be controlled."),
    ], (ds, now) =>
    {
        var template = At(ds, "spec", "template", "spec");
        var (names, images) = PodTemplates.ContainerCells(template);
        return
        [
            Name(ds),
            Int(ds, "status", "desiredNumberScheduled"),
            Int(ds, "status", "currentNumberScheduled"),
            Int(ds, "status", "numberReady"),
            Int(ds, "status", "updatedNumberScheduled"),
            Int(ds, "status", "numberAvailable"),
            FormatLabels(At(template, "nodeSelector")),
            Age(ds, now),
            names,
            images,
            LabelSelector.Format(At(ds, "spec", "selector") as JsonObject),
        ];
    });

    public static readonly TablePrinter StatefulSet = new(
    [
        Columns.Name,
        Columns.Text("Ready", "Number of the pod with ready state"),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
    ], (sts, now) =>
    {
        var (names, images) = PodTemplates.ContainerCells(At(sts, "spec", "template", "spec"));
        return [Name(sts), $"{Int(sts, "status", "readyReplicas")}/{Replicas(sts)}", Age(sts, now), names, images];
    });

    public static readonly TablePrinter Job = new(
    [
        Columns.Name,
        Columns.Text("Status", "Status of the job."),
        Columns.Text("Completions", "The number of pods which reached phase Succeeded."),
        Columns.Text("Duration", "Time required to complete the job."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("A label query over pods that should match the pod count."),
    ], (job, now) =>
    {
        var succeeded = Int(job, "status", "succeeded");
        string completions;
        if (IntOrNull(job, "spec", "completions") is { } wanted)
            completions = $"{succeeded}/{wanted}";
        else if (Int(job, "spec", "parallelism") is var parallelism and > 1)
            completions = $"{succeeded}/1 of {parallelism}";
        else
            completions = $"{succeeded}/1";

        var duration = "";
        if (HumanDuration.TryParse(StrOrNull(job, "status", "startTime"), out var start))
        {
            duration = HumanDuration.TryParse(StrOrNull(job, "status", "completionTime"), out var end)
                ? HumanDuration.Format(end - start)
                : HumanDuration.Format(now - start);
        }

        var (names, images) = PodTemplates.ContainerCells(At(job, "spec", "template", "spec"));
        return
        [
            Name(job),
            JobStatus(job),
            completions,
            duration,
            Age(job, now),
            names,
            images,
            LabelSelector.Format(At(job, "spec", "selector") as JsonObject),
        ];
    });

    public static readonly TablePrinter CronJob = new(
    [
        Columns.Name,
        Columns.Text("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        Columns.Text("Timezone", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
        new TableColumn("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions."),
        Columns.Integer("Active", "A list of pointers to currently running jobs."),
        Columns.Text("Last Schedule", "Information when was the last time the job was successfully scheduled."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("A label query over pods that should match the pod count."),
    ], (cj, now) =>
    {
        var jobSpec = At(cj, "spec", "jobTemplate", "spec");
        var (names, images) = PodTemplates.ContainerCells(At(jobSpec, "template", "spec"));
        var lastSchedule = StrOrNull(cj, "status", "lastScheduleTime") is { } last ? HumanDuration.Since(last, now) : "<none>";
        var suspend = BoolOrNull(cj, "spec", "suspend") switch
        {
            true => "True",
            false => "False",
            null => "<unset>",
        };
        return
        [
            Name(cj),
            Str(cj, "spec", "schedule"),
            StrOrNull(cj, "spec", "timeZone") ?? "<none>",
            suspend,
            Count(cj, "status", "active"),
            lastSchedule,
            Age(cj, now),
            names,
            images,
            LabelSelector.Format(At(jobSpec, "selector") as JsonObject),
        ];
    });

    public static readonly TablePrinter ControllerRevision = new(
    [
        Columns.Name,
        Columns.Text("Controller", "Controller of the object"),
        Columns.Text("Revision", "Revision indicates the revision of the state represented by Data."),
        Columns.Age,
    ], (cr, now) =>
    {
        var controller = "<none>";
        if (Objects(cr, "metadata", "ownerReferences").FirstOrDefault(o => Bool(o, "controller")) is { } owner)
        {
            // "statefulset.apps/web": the lower-cased group-kind, then the name.
            var apiVersion = Str(owner, "apiVersion");
            var slash = apiVersion.IndexOf('/');
            var group = slash < 0 ? "" : apiVersion[..slash];
            var kind = Str(owner, "kind");
            var groupKind = group.Length == 0 ? kind : $"{kind}.{group}";
            controller = groupKind.Length == 0 ? Str(owner, "name") : $"{groupKind.ToLowerInvariant()}/{Str(owner, "name")}";
        }
        return [Name(cr), controller, Int(cr, "revision"), Age(cr, now)];
    });

    static long Replicas(JsonObject obj) => IntOrNull(obj, "spec", "replicas") ?? 1;

    static string JobStatus(JsonObject job)
    {
        var conditions = Objects(job, "status", "conditions").ToList();
        // The first condition of a type decides, as upstream hasJobCondition.
        bool Has(string type) => conditions.FirstOrDefault(c => Str(c, "type") == type) is { } c && Str(c, "status") == "True";
        if (Has("Complete"))
            return "Complete";
        if (Has("Failed"))
            return "Failed";
        if (StrOrNull(job, "metadata", "deletionTimestamp") is not null)
            return "Terminating";
        if (Has("Suspended"))
            return "Suspended";
        if (Has("FailureTarget"))
            return "FailureTarget";
        return "Running";
    }
}
