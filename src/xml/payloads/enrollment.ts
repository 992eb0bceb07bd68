import { element, enumeration, many, one, opt, sequence, some, text, type ContentCodec } from '../codec.js';
import { NS } from '../namespaces.js';
import { instant } from './calendar.js';
import { eiResponse, partyRole, requestID, resourceID } from './ei.js';
import { item, marketContext } from './emix.js';

const en = <T>(name: string, content: ContentCodec<T>) => element(NS.enroll, name, content);

export const enrollmentStatuses = ['pendingEnrollment', 'approvedEnrollment', 'underReview', 'denied', 'separated'] as const;
const enrollmentStatus = en('enrollmentStatus', enumeration(enrollmentStatuses));
const enrollmentID = en('enrollmentID', text);
const enrolleePartyID = en('enrolleePartyID', text);

const eiEnrollment = en('eiEnrollment', sequence({
  applicationDate: one(en('applicationDate', instant)),
  effectiveDate: opt(en('effectiveDate', instant)),
  endDate: opt(en('endDate', instant)),
  enrollAdminPartyID: opt(en('enrollAdminPartyID', text)),
  enrolleePartyID: one(enrolleePartyID),
  enrolleeType: one(en('enrolleeType', partyRole)),
  enrollmentComments: opt(en('enrollmentComments', text)),
  enrollmentID: opt(enrollmentID),
  enrollmentName: opt(en('enrollmentName', text)),
  item: opt(item),
  marketContext: one(marketContext),
  enrollmentStatus: opt(enrollmentStatus),
  resourceIDs: many(resourceID),
}));

/** EiEnroll payload roots (namespace enroll). */
export const enrollmentPayloads = {
  eiCreateEnroll: en('eiCreateEnroll', sequence({ requestID: one(requestID), enrollment: one(eiEnrollment) })),
  eiCreatedEnroll: en('eiCreatedEnroll', sequence({
    eiResponse: one(eiResponse),
    enrollmentID: opt(enrollmentID),
    marketContext: opt(marketContext),
    enrollmentStatus: opt(enrollmentStatus),
  })),
  eiRequestEnroll: en('eiRequestEnroll', sequence({
    requestID: one(requestID),
    enrolleePartyID: opt(enrolleePartyID),
    enrollmentIDs: many(enrollmentID),
    marketContexts: many(marketContext),
  })),
  eiReplyEnroll: en('eiReplyEnroll', sequence({ eiResponse: one(eiResponse), enrollments: many(eiEnrollment) })),
  eiCancelEnroll: en('eiCancelEnroll', sequence({
    requestID: one(requestID),
    enrolleePartyID: one(enrolleePartyID),
    enrollmentIDs: some(enrollmentID),
  })),
  eiCanceledEnroll: en('eiCanceledEnroll', sequence({ eiResponse: one(eiResponse), enrollmentIDs: many(enrollmentID) })),
};
