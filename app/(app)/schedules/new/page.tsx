import type { Metadata } from "next";

import { Forbidden } from "@/components/forbidden";
import { ScheduleForm } from "@/components/schedules/schedule-form";
import { requirePageActor } from "@/lib/auth/session";
import { scheduleFormOptions } from "@/lib/schedules/schedule-page-data";

export const metadata: Metadata = { title: "New schedule" };
export const dynamic = "force-dynamic";

export default async function NewSchedulePage() {
  const actor = await requirePageActor();
  const options = await scheduleFormOptions(actor);
  if (options.kinds.length === 0) return <Forbidden what="scheduled exports" />;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>New schedule</h1>
          <p className="muted">Each run produces an ordinary export and delivers it. Missed runs after downtime run once, not many times.</p>
        </div>
      </div>
      <div className="card">
        <ScheduleForm {...options} />
      </div>
    </>
  );
}
