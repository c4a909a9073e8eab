// The administrators' screens, one per path under /admin (fetched when first opened): the
// review queue, a doctor's file with its decisions, and the refunds to pay out.
import { DoctorReview } from "./DoctorReview";
import { Refunds } from "./Refunds";
import { adminScreenOf } from "./review";
import { ReviewQueue } from "./ReviewQueue";

export function AdminScreens(props: { path: string }) {
  const where = adminScreenOf(props.path);
  if (where.screen === "doctor") return <DoctorReview key={where.id} id={where.id} />;
  if (where.screen === "refunds") return <Refunds />;
  return <ReviewQueue />;
}
